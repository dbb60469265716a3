use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = aimscope::cli::Cli::parse();
    aimscope::app::init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(aimscope::app::Exit::Runtime as u8);
        }
    };
    let code = runtime.block_on(aimscope::app::main(cli));
    ExitCode::from(code as u8)
}
