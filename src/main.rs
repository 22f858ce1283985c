use std::process::ExitCode;

/// A run allocates and frees millions of small tree nodes and strings across
/// threads; glibc's allocator spent about a sixth of the CPU time of the
/// 10,000-file bench on that, mimalloc much less (README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    bplint::main()
}
