//! A device in words, from its `User-Agent` header: what customers see in
//! their device list, the console, a handoff's confirmation and the audit
//! trail.

/// "Chrome on Android" from a `User-Agent` header, by Project Woothee's
/// rules; a client that is no known browser is named by its first product
/// token ("curl"), an absent header as an unknown device.
pub fn device_words(user_agent: Option<&str>) -> String {
    let Some(header) = user_agent.map(str::trim).filter(|h| !h.is_empty()) else {
        return "Unknown device".into();
    };
    let known = |s: &str| (!s.is_empty() && s != "UNKNOWN").then(|| s.to_string());
    // Libraries and bots are named by their own token ("curl"), not by
    // Woothee's class of them ("HTTP Library").
    let parsed = woothee::parser::Parser::new()
        .parse(header)
        .filter(|p| !matches!(p.category, "crawler" | "misc"));
    let browser = parsed.as_ref().and_then(|p| known(p.name));
    let system = parsed
        .as_ref()
        .and_then(|p| known(p.os))
        .map(|os| match os.as_str() {
            "Mac OSX" => "macOS".to_string(),
            _ => os,
        });
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser,
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => {
            let product: String = header
                .split(['/', ' '])
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(40)
                .collect();
            if product.is_empty() {
                "Unknown device".into()
            } else {
                product
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_and_systems_in_words() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Windows 10",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            ("curl/8.5.0", "curl"),
            ("", "Unknown device"),
        ];
        for (header, words) in cases {
            assert_eq!(device_words(Some(header)), words, "{header}");
        }
        assert_eq!(device_words(None), "Unknown device");
    }
}
