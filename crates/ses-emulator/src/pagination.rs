//! `NextToken` / `PageSize` pagination, shared by every List operation.
//!
//! A token is the opaque (base64url) sort key of the last item of the previous page, so
//! paging stays correct while items are created or deleted between calls.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::error::SesError;

/// The pagination members of a List request.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PageRequest {
    #[serde(rename = "NextToken")]
    pub next_token: Option<String>,
    #[serde(rename = "PageSize")]
    pub page_size: Option<i64>,
}

/// The page size an operation uses when none is asked for, and the most it allows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageLimits {
    pub default: usize,
    pub max: usize,
}

/// Limits of List operations whose documentation states none: generous, like SES's.
pub(crate) const STANDARD_PAGES: PageLimits = PageLimits {
    default: 100,
    max: 1000,
};

/// `ListRecommendations` documents a page size of 1-100.
pub(crate) const RECOMMENDATION_PAGES: PageLimits = PageLimits {
    default: 100,
    max: 100,
};

/// One page of results.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

impl<T> Page<T> {
    /// Converts every item, keeping the token.
    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_token: self.next_token,
        }
    }
}

/// Takes the page `request` asks for from `items`, which must be sorted by `key`
/// (ascending, unique).
///
/// # Errors
/// `BadRequestException` for a page size outside `1..=limits.max` or a token this
/// emulator did not issue.
pub(crate) fn paginate<T, K: AsRef<str>>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
    request: &PageRequest,
    limits: PageLimits,
) -> Result<Page<T>, SesError> {
    let size = match request.page_size {
        None => limits.default,
        Some(size) => usize::try_from(size)
            .ok()
            .filter(|size| (1..=limits.max).contains(size))
            .ok_or_else(|| {
                SesError::BadRequest(format!(
                    "PageSize must be between 1 and {}, got {size}.",
                    limits.max
                ))
            })?,
    };
    let after = request
        .next_token
        .as_deref()
        .map(decode_token)
        .transpose()?;

    let mut items: Vec<T> = items
        .into_iter()
        .skip_while(|item| {
            after
                .as_deref()
                .is_some_and(|after| key(item).as_ref() <= after)
        })
        .take(size + 1)
        .collect();
    let next_token = if items.len() > size {
        items.truncate(size);
        items
            .last()
            .map(|last| URL_SAFE_NO_PAD.encode(key(last).as_ref()))
    } else {
        None
    };
    Ok(Page { items, next_token })
}

fn decode_token(token: &str) -> Result<String, SesError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| SesError::BadRequest("The NextToken is invalid.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(next_token: Option<String>, page_size: Option<i64>) -> PageRequest {
        PageRequest {
            next_token,
            page_size,
        }
    }

    #[test]
    fn pages_cover_every_item_once() {
        let names = ["a", "b", "c", "d", "e"];
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = paginate(names, |n| *n, &request(token, Some(2)), STANDARD_PAGES).unwrap();
            seen.extend(page.items);
            match page.next_token {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, names);
    }

    #[test]
    fn an_exactly_full_last_page_has_no_token() {
        let page = paginate(["a", "b"], |n| *n, &request(None, Some(2)), STANDARD_PAGES).unwrap();
        assert_eq!(page.items, ["a", "b"]);
        assert!(page.next_token.is_none());
    }

    #[test]
    fn a_page_size_out_of_range_is_rejected() {
        for size in [0, -1, 1001] {
            let error =
                paginate(["a"], |n| *n, &request(None, Some(size)), STANDARD_PAGES).unwrap_err();
            assert_eq!(error.error_type(), "BadRequestException");
        }
    }

    #[test]
    fn a_forged_token_is_rejected() {
        let error = paginate(
            ["a"],
            |n| *n,
            &request(Some("not base64!".into()), None),
            STANDARD_PAGES,
        )
        .unwrap_err();
        assert_eq!(error.error_type(), "BadRequestException");
    }
}
