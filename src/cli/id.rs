//! `agora id`: who you are on the network.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Context;

#[derive(Args, Debug)]
pub struct IdArgs {
    /// Print only the did:key (for scripts).
    #[arg(long)]
    pub did: bool,
}

pub fn run(ctx: &Context, args: IdArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let identity = ctx.identity()?;
    if args.did {
        writeln!(out, "{}", identity.did())?;
        return Ok(ExitCode::SUCCESS);
    }
    let name =
        if config.profile.name.is_empty() { "(not set: [profile] name in config.toml)" } else { &config.profile.name };
    writeln!(out, "did          {}", identity.did())?;
    writeln!(out, "fingerprint  {}", identity.public().fingerprint())?;
    writeln!(out, "endpoint id  {}", identity.iroh_secret_key().public())?;
    writeln!(out, "name         {}", crate::text::safe(name))?;
    writeln!(out, "home         {}", ctx.home.data_dir().display())?;
    Ok(ExitCode::SUCCESS)
}
