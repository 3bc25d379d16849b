//! Forward-compatibility store: content a newer server sent that these
//! bindings do not know, kept so that it can be inspected and written back.

/// Unknown content of a data object: 8 bytes (one null pointer) when empty,
/// which is the overwhelmingly common case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extra(Option<Box<ExtraContent>>);

/// The content behind a non-empty [`Extra`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExtraContent {
    /// The `xsi:type` the value was sent as, when these bindings do not know it.
    pub unknown_type: Option<String>,
    /// Unknown child elements, in document order.
    pub elements: Vec<UnknownElement>,
}

/// One unknown child element, kept verbatim.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnknownElement {
    /// Local name of the element.
    pub name: String,
    /// Raw outer XML as received (start tag through end tag).
    pub xml: String,
}

impl Extra {
    /// True when nothing unknown was recorded.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            None => true,
            Some(c) => c.unknown_type.is_none() && c.elements.is_empty(),
        }
    }

    /// The unknown `xsi:type` name, if the value was sent as a type these bindings lack.
    pub fn unknown_type(&self) -> Option<&str> {
        self.0.as_ref().and_then(|c| c.unknown_type.as_deref())
    }

    /// Unknown child elements, in document order.
    pub fn elements(&self) -> &[UnknownElement] {
        match &self.0 {
            Some(c) => &c.elements,
            None => &[],
        }
    }

    /// Records the unknown `xsi:type` name.
    pub fn set_unknown_type(&mut self, name: String) {
        self.content_mut().unknown_type = Some(name);
    }

    /// Appends an unknown child element.
    pub fn push_element(&mut self, element: UnknownElement) {
        self.content_mut().elements.push(element);
    }

    /// The content, if any was recorded.
    pub fn content(&self) -> Option<&ExtraContent> {
        self.0.as_deref()
    }

    /// Mutable content, allocated on first use.
    pub fn content_mut(&mut self) -> &mut ExtraContent {
        self.0.get_or_insert_with(Box::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_one_pointer_and_accessors_work() {
        assert_eq!(std::mem::size_of::<Extra>(), std::mem::size_of::<usize>());
        let mut e = Extra::default();
        assert!(e.is_empty());
        assert_eq!(e.unknown_type(), None);
        assert!(e.elements().is_empty());
        assert!(e.content().is_none());

        e.set_unknown_type("VirtualNVDIMM2".into());
        assert!(!e.is_empty());
        assert_eq!(e.unknown_type(), Some("VirtualNVDIMM2"));
        e.push_element(UnknownElement {
            name: "newField".into(),
            xml: "<newField>1</newField>".into(),
        });
        assert_eq!(e.elements().len(), 1);
        assert_eq!(e.elements()[0].name, "newField");
        assert_ne!(e, Extra::default());
        // An allocated but empty content still counts as empty.
        let mut f = Extra::default();
        f.content_mut();
        assert!(f.is_empty());
    }
}
