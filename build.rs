//! Build script: only tells cargo to rebuild when the embedded theme or templates change.
//! `include_dir!` embeds them, but a proc macro cannot declare the files it reads, so without
//! this an edited template or stylesheet would not reach the binary until a `.rs` file changed.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=themes");
}
