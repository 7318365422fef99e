//! `v1` Service → the model's [`Service`]: its name (a DNS-1035 label,
//! `ValidateServiceName`), namespace and `spec.selector` (label keys and
//! values checked as `ValidateLabels` does). Ports, type, cluster IPs and
//! the rest are read (strictly) and not modelled.

use super::workloads::object_meta;
use super::Ctx;
use crate::scenario::yaml::At;
use k8s_openapi::api::core::v1 as core;
use kubesim_core::Service;

/// `IsDNS1035Label`: the error text upstream gives, or `Ok`.
fn dns1035_label(name: &str) -> Result<(), String> {
    const MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    if name.len() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    let b = name.as_bytes();
    let ok = b.first().is_some_and(u8::is_ascii_lowercase)
        && b.last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
    if ok {
        Ok(())
    } else {
        Err(MSG.into())
    }
}

/// Converts a Service; `None` if its name is unusable.
pub fn service(ctx: &mut Ctx<'_, '_>, s: &core::Service, at: &At<'_>) -> Option<Service> {
    let metadata = object_meta(ctx, &s.metadata, at, true)?;
    if let Err(m) = dns1035_label(&metadata.name) {
        ctx.err(
            &at.key("metadata").key("name"),
            format!("Invalid value: {:?}: {m}", metadata.name),
        );
        return None;
    }
    let selector = s.spec.as_ref().and_then(|spec| spec.selector.clone());
    if let Some(sel) = &selector {
        ctx.labels(sel, &at.key("spec").key("selector"));
    }
    Some(Service { metadata, selector })
}

#[cfg(test)]
mod tests {
    use super::dns1035_label;

    #[test]
    fn dns1035_table() {
        for (name, ok) in [
            ("web", true),
            ("web-1", true),
            ("a", true),
            ("1web", false),
            ("web-", false),
            ("Web", false),
            ("web.example", false),
            ("", false),
        ] {
            assert_eq!(dns1035_label(name).is_ok(), ok, "{name:?}");
        }
        assert!(dns1035_label(&"a".repeat(64)).is_err());
        assert!(dns1035_label(&"a".repeat(63)).is_ok());
    }
}
