//! What the worst inputs within agora's size limits cost to verify, next
//! to a normal credential: `previousProof` references (repeated, chained),
//! oversized proof sets, repeated contexts, signed junk, co-signing drafts
//! and presentations full of them. Each input is measured in a child
//! process of its own: median CPU time (and wall time) of several runs
//! (cold, as a verifier meeting it for the first time; CPU time, because
//! the machine may be shared) and peak heap during the check
//! (a counting allocator, capped at 3 GiB: past that the child aborts and
//! the input is reported as over the cap).
//!
//! `cargo run --release --example proof_bombs -- [--runs 5] [--only TEXT]`

#[path = "../../tests/common/mod.rs"]
mod common;
mod heap;
mod inputs;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use inputs::CASES;

#[global_allocator]
static HEAP: heap::Counting = heap::Counting;

const HEAP_CAP: usize = 3 << 30;
/// Measuring stops after this much checking (at least one run).
const BUDGET: Duration = Duration::from_secs(60);
/// A child that takes longer (building included) is stopped.
const TIMEOUT: Duration = Duration::from_secs(600);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let runs: usize = option("--runs").map_or(5, |n| n.parse().expect("--runs takes a number"));
    match option("--case") {
        Some(name) => child(&name, runs),
        None => parent(runs, option("--only").as_deref()),
    }
}

/// One line per measured input, parsed from a child's output.
struct Figures {
    bytes: usize,
    runs: usize,
    median: Duration,
    cpu: Duration,
    heap: usize,
    rss_kib: u64,
    outcome: String,
    aborted: bool,
}

fn parent(runs: usize, only: Option<&str>) {
    println!(
        "| input | bytes | outcome | runs | CPU (median) | × yardstick | wall (median) | peak heap | × yardstick | peak RSS |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut done: Vec<(&str, Figures)> = Vec::new();
    for case in CASES.iter().filter(|c| only.is_none_or(|o| c.name.contains(o))) {
        let figures = measure(case.name, runs);
        let yardstick = if case.yardstick == case.name {
            Some(&figures)
        } else {
            done.iter().find(|(name, _)| *name == case.yardstick).map(|(_, f)| f)
        };
        let ratio = |a: f64, b: f64| if b > 0.0 { format!("{:.2}", a / b) } else { "–".into() };
        let (time_ratio, heap_ratio) = match yardstick {
            Some(y) => {
                (ratio(figures.cpu.as_secs_f64(), y.cpu.as_secs_f64()), ratio(figures.heap as f64, y.heap as f64))
            }
            None => ("–".into(), "–".into()),
        };
        let over = if figures.aborted { "> " } else { "" };
        println!(
            "| {} | {} | {} | {} | {over}{} | {over}{time_ratio} | {over}{} | {over}{} | {over}{heap_ratio} | {} |",
            case.name,
            figures.bytes,
            figures.outcome.replace('|', "/"),
            figures.runs,
            format_time(figures.cpu),
            format_time(figures.median),
            format_bytes(figures.heap),
            if figures.aborted { "–".into() } else { format_bytes(figures.rss_kib as usize * 1024) },
        );
        done.push((case.name, figures));
    }
}

fn measure(name: &str, runs: usize) -> Figures {
    let exe = std::env::current_exe().expect("the example's own path");
    let mut child = Command::new(exe)
        .args(["--case", name, "--runs", &runs.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a child");
    let (lines, received) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send((Instant::now(), line));
        }
    });
    let mut stderr = child.stderr.take().expect("piped stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let ended = Instant::now();
    let mut built: Option<(Instant, usize)> = None;
    let mut result = None;
    while let Ok((at, line)) = received.recv_timeout(Duration::from_secs(1)) {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields[..] {
            ["BUILT", bytes] => built = built.or(Some((at, bytes.parse().unwrap_or(0)))),
            ["RESULT", bytes, runs, median, cpu, heap, rss, outcome] => {
                result = Some(Figures {
                    bytes: bytes.parse().unwrap_or(0),
                    runs: runs.parse().unwrap_or(0),
                    median: Duration::from_nanos(median.parse().unwrap_or(0)),
                    cpu: Duration::from_nanos(cpu.parse().unwrap_or(0)),
                    heap: heap.parse().unwrap_or(0),
                    rss_kib: rss.parse().unwrap_or(0),
                    outcome: outcome.to_owned(),
                    aborted: false,
                })
            }
            _ => {}
        }
    }
    let errors = errors.join().unwrap_or_default();
    result.unwrap_or_else(|| {
        let why = match status {
            None => format!("stopped after {}", format_time(TIMEOUT)),
            Some(_) if errors.contains("memory allocation") => format!("aborted: heap over {}", format_bytes(HEAP_CAP)),
            Some(status) => format!("died ({status}): {}", errors.lines().last().unwrap_or("")),
        };
        let (at, bytes) = built.unwrap_or((started, 0));
        Figures {
            bytes,
            runs: 1,
            median: ended.duration_since(at),
            cpu: ended.duration_since(at),
            heap: if why.contains("heap over") { HEAP_CAP } else { 0 },
            rss_kib: 0,
            outcome: why,
            aborted: true,
        }
    })
}

fn child(name: &str, runs: usize) {
    let case = CASES.iter().find(|c| c.name == name).expect("a known case");
    heap::set_cap(HEAP_CAP);
    // A running verifier has processed the bundled contexts already.
    (CASES[0].build)(0).check();
    let mut input = None;
    let (mut times, mut cpu, mut heap_peak, mut rss) = (Vec::new(), Vec::new(), 0, 0);
    let (mut outcome, mut bytes) = (String::new(), 0);
    let mut spent = Duration::ZERO;
    for run in 0..runs {
        if input.is_none() || case.per_run {
            drop(input.take());
            input = Some((case.build)(run));
        }
        let input = input.as_ref().expect("built");
        bytes = input.len();
        if run == 0 {
            println!("BUILT\t{bytes}");
        }
        agora::endorse::rdfc::forget_recent();
        reset_rss_peak();
        heap::reset_peak();
        let before = heap::current();
        let (started, on_cpu) = (Instant::now(), cpu_time());
        outcome = input.check();
        let took = started.elapsed();
        cpu.push(cpu_time().saturating_sub(on_cpu));
        heap_peak = heap_peak.max(heap::peak().saturating_sub(before));
        rss = rss.max(rss_peak_kib());
        times.push(took);
        spent += took;
        if spent > BUDGET {
            break;
        }
    }
    let median = |mut values: Vec<Duration>| {
        values.sort();
        values[values.len() / 2].as_nanos()
    };
    let (runs, wall, cpu) = (times.len(), median(times), median(cpu));
    let outcome: String = outcome.chars().take(90).collect();
    println!("RESULT\t{bytes}\t{runs}\t{wall}\t{cpu}\t{heap_peak}\t{rss}\t{outcome}");
}

#[repr(C)]
struct Timespec {
    seconds: i64,
    nanoseconds: i64,
}

unsafe extern "C" {
    fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
}

/// Time this thread has spent on a CPU (64-bit Linux).
fn cpu_time() -> Duration {
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut time = Timespec { seconds: 0, nanoseconds: 0 };
    // SAFETY: `time` is a valid, writable timespec for the call.
    if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(time.seconds as u64, time.nanoseconds as u32)
}

/// Resets the kernel's resident-set high-water mark (Linux).
fn reset_rss_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn rss_peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn format_time(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1000.0 { format!("{:.2} s", ms / 1e3) } else { format!("{ms:.2} ms") }
}

fn format_bytes(bytes: usize) -> String {
    let b = bytes as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.2} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1 << 20) as f64 {
        format!("{:.1} MiB", b / (1 << 20) as f64)
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}
