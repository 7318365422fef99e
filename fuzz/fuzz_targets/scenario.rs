//! Any bytes as a scenario file: loading returns a scenario or errors,
//! never panics, hangs or runs out of memory; every error renders.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A folder with no manifests in it: `manifests:` entries fail to read.
    let path = Path::new("/nonexistent-kubesim-fuzz/scenario.yaml");
    if let Err(errors) = kubesim_runner::load_text(path, text) {
        assert!(!errors.is_empty());
        let handler = miette::GraphicalReportHandler::new_themed(
            miette::GraphicalTheme::unicode_nocolor(),
        );
        for e in errors {
            assert!(!e.message.is_empty());
            let mut out = String::new();
            handler.render_report(&mut out, &e).expect("renders");
        }
    }
});
