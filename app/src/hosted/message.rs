use crate::components::{Card, Notice};
use crate::{Chrome, document};
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct Link {
    pub href: String,
    pub label: String,
}

/// A page that only tells the customer something: "check your email", an
/// error, a confirmation. `tone` is "error", "success" or "info".
#[derive(Clone, Debug)]
pub struct MessageView {
    pub title: String,
    pub tone: &'static str,
    pub message: String,
    pub links: Vec<Link>,
}

pub fn message_page(chrome: &Chrome, page: &MessageView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let links = page
        .links
        .iter()
        .map(|link| {
            view! {
                <li>
                    <a href=link.href.clone() class="font-medium text-indigo-700 hover:underline">
                        {link.label.clone()}
                    </a>
                </li>
            }
        })
        .collect_view();
    let body = view! {
        <Card title=page.title.clone()>
            <Notice tone=page.tone message=page.message.clone()/>
            <ul class="space-y-2 text-sm">{links}</ul>
        </Card>
    };
    document(&chrome, &page.title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn message_text_is_escaped() {
        let html = message_page(
            &chrome(),
            &MessageView {
                title: "Oops".into(),
                tone: "error",
                message: "<script>alert(1)</script>".into(),
                links: vec![Link {
                    href: "/login".into(),
                    label: "Sign in".into(),
                }],
            },
        );
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("<script>alert(1)"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains(r#"href="/login""#));
        assert!(html.contains(r#"role="alert""#));
    }
}
