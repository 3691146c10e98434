//! QR codes drawn on the server, as inline SVG: pages need no script to
//! show one (the authenticator app's setup, a handoff to another device).

use super::{Error, Result};

/// The QR code of `text` as an inline SVG element (no XML prolog), sized
/// by the page and named `label` for screen readers.
pub fn qr_svg(text: &str, label: &str) -> Result<String> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| Error::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    let label: String = label
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | '&'))
        .collect();
    Ok(svg[start..].replacen(
        "<svg ",
        &format!(r#"<svg role="img" aria-label="{label}" class="h-48 w-48" "#),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_is_an_inline_svg_named_for_screen_readers() {
        let svg = qr_svg(
            "otpauth://totp/Gatehouse:a%40example.com?secret=JBSWY3DPEHPK3PXP",
            "QR code \"for\" <you>",
        )
        .unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"QR code for you\""));
        assert!(!svg.contains("<?xml"));
        assert!(svg.ends_with("</svg>"));
    }
}
