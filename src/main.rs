//! The `agora` binary: parses the command line and hands over to [`agora::cli`].

fn main() -> std::process::ExitCode {
    agora::cli::main()
}
