//! A message handed to `SendEmail`, reduced to what SES checks and records: sender,
//! recipients, subject, tenant and configuration set. Raw MIME messages are read for
//! their headers only.

/// A message to send, whatever form its content came in.
#[derive(Debug, Clone, Default)]
pub(crate) struct OutboundEmail {
    /// The `From` address, possibly in `"Name" <addr>` form.
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: Option<String>,
    pub tenant: Option<String>,
    pub configuration_set: Option<String>,
}

/// The headers of a raw MIME message that `SendEmail` uses when the request does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RawHeaders {
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: Option<String>,
}

impl RawHeaders {
    /// Reads the header block of a MIME message (up to the first empty line), unfolding
    /// continuation lines. Encoded words (`=?UTF-8?...?=`) are left as they are.
    pub(crate) fn parse(message: &str) -> Self {
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in message.lines() {
            if line.trim().is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                fields.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }

        let mut headers = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "from" => headers.from = Some(value),
                "to" => headers.to.extend(address_list(&value)),
                "cc" => headers.cc.extend(address_list(&value)),
                "subject" => headers.subject = Some(value),
                _ => {}
            }
        }
        headers
    }
}

/// Splits an address list header on the commas that are not inside quotes.
fn address_list(value: &str) -> Vec<String> {
    let mut addresses = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => addresses.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    addresses.push(current);
    addresses
        .into_iter()
        .map(|address| address.trim().to_owned())
        .filter(|address| !address.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_of_a_raw_message_are_read() {
        let message = "From: \"Posthawk, Inc\" <hello@example.com>\r\n\
                       To: a@example.com, \"B, Bee\" <b@example.com>\r\n\
                       Subject: Quarterly\r\n  report\r\n\
                       Cc: c@example.com\r\n\
                       \r\n\
                       To: not-a-header@example.com\r\n";

        let headers = RawHeaders::parse(message);

        assert_eq!(
            headers.from.as_deref(),
            Some("\"Posthawk, Inc\" <hello@example.com>")
        );
        assert_eq!(headers.to, ["a@example.com", "\"B, Bee\" <b@example.com>"]);
        assert_eq!(headers.cc, ["c@example.com"]);
        assert_eq!(headers.subject.as_deref(), Some("Quarterly report"));
    }
}
