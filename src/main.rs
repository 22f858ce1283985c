use std::process::ExitCode;

fn main() -> ExitCode {
    bplint::main()
}
