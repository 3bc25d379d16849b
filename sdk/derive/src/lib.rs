//! `#[derive(PropertySet)]` for `vmomi`: a struct of the properties to read
//! of one managed object type, with every path checked by the compiler.
//!
//! Used through `vmomi` (`vmomi::PropertySet`); see `vmomi::property` for
//! the whole story. In short:
//!
//! ```ignore
//! #[derive(vmomi::PropertySet)]
//! #[property_set(VirtualMachine)]        // a view of vmomi::mo, or a path to one
//! struct Vm {
//!     #[property(view)]                  // the object's view, on the same session
//!     vm: vmomi::mo::VirtualMachine,
//!     name: String,                      // the property named like the field
//!     #[property(runtime.power_state)]   // a nested path, typed at every depth
//!     power: VirtualMachinePowerState,
//!     #[property(config.hardware.device)]
//!     devices: Vec<AnyVirtualDevice>,    // an array: empty when the server sends none
//!     #[property(guest.ip_address)]
//!     ip: Option<String>,                // optional: None when unset
//!     #[property("summary.quickStats.overallCpuUsage")]
//!     cpu: Option<i32>,                  // a wire path as text: checked before any request
//! }
//! ```
//!
//! A path given as idents (`runtime.power_state`) becomes
//! `VirtualMachine::RUNTIME.power_state()`: a misspelt part does not
//! compile, and the field's type must be the path's. Without an attribute,
//! the field's name is the property (`name` is `VirtualMachine::NAME`).

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{
    Data, DeriveInput, Fields, Ident, LitStr, Path, Token, Type, parse_macro_input,
    punctuated::Punctuated,
};

/// Derives `vmomi::property::PropertySet`; see the crate documentation.
#[proc_macro_derive(PropertySet, attributes(property_set, property))]
pub fn derive_property_set(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// What a field holds.
enum Source {
    /// `#[property(view)]`: the object's view.
    View,
    /// `#[property(reference)]`: the object's reference.
    Reference,
    /// Idents: `runtime.power_state`.
    Typed(Vec<Ident>),
    /// A wire path as text: `"runtime.powerState"`.
    Text(LitStr),
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let managed = managed_type(input)?;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "PropertySet is derived for a struct with named fields",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            name,
            "PropertySet is derived for a struct with named fields",
        ));
    };
    let mut paths = Vec::new();
    let mut deep = Vec::new();
    let mut inits = Vec::new();
    for f in &fields.named {
        let ident = f.ident.as_ref().expect("named field");
        let source = field_source(f)?;
        let (take, value_ty) = shape(&f.ty);
        let path = match &source {
            Source::View => {
                inits.push(quote! { #ident: __props.view(__client) });
                continue;
            }
            Source::Reference => {
                inits.push(quote! { #ident: __props.reference() });
                continue;
            }
            Source::Typed(parts) => {
                let (first, rest) = parts.split_first().expect("a path has a part");
                let constant = format_ident!(
                    "{}",
                    syn::ext::IdentExt::unraw(first).to_string().to_uppercase(),
                    span = first.span()
                );
                quote! { <#managed>::#constant #(.#rest())* }
            }
            // A text path reads the field's own type; a typed one may
            // convert (`CompactString` into a `String` field).
            Source::Text(lit) => quote! { ::vmomi::rt::PropertyPath::<#value_ty>::new(#lit) },
        };
        if !matches!(source, Source::Text(_)) {
            deep.push(quote! { (#path).check().map_err(::vmomi::Error::from)?; });
        }
        paths.push(match &source {
            Source::Text(lit) => quote! { ::std::borrow::Cow::Borrowed(#lit) },
            _ => quote! { (#path).path() },
        });
        inits.push(quote! { #ident: __props.#take(#path)? });
    }
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::vmomi::property::PropertySet for #name #ty_generics #where_clause {
            const TYPE_NAME: &'static str = <#managed as ::vmomi::ObjectView>::TYPE_NAME;

            fn paths() -> ::std::vec::Vec<::std::borrow::Cow<'static, str>> {
                ::std::vec![#(#paths),*]
            }

            fn check_depth() -> ::std::result::Result<(), ::vmomi::Error> {
                #(#deep)*
                ::std::result::Result::Ok(())
            }

            fn from_object(
                __client: &::std::sync::Arc<dyn ::vmomi::rt::RoundTripper>,
                __object: ::vmomi::types::ObjectContent,
            ) -> ::std::result::Result<Self, ::vmomi::Error> {
                let mut __props = ::vmomi::property::Props::new(__object);
                ::std::result::Result::Ok(Self { #(#inits),* })
            }
        }
    })
}

/// `#[property_set(VirtualMachine)]`: a bare name is a view of `vmomi::mo`.
fn managed_type(input: &DeriveInput) -> syn::Result<Tokens> {
    let attr = input
        .attrs
        .iter()
        .find(|a| a.path().is_ident("property_set"))
        .ok_or_else(|| {
            syn::Error::new(
                Span::call_site(),
                "name the managed object type: #[property_set(VirtualMachine)]",
            )
        })?;
    let path: Path = attr.parse_args()?;
    Ok(match path.get_ident() {
        Some(id) => quote! { ::vmomi::mo::#id },
        None => quote! { #path },
    })
}

fn field_source(f: &syn::Field) -> syn::Result<Source> {
    let ident = f.ident.as_ref().expect("named field");
    let Some(attr) = f.attrs.iter().find(|a| a.path().is_ident("property")) else {
        return Ok(Source::Typed(vec![ident.clone()]));
    };
    attr.parse_args_with(|input: syn::parse::ParseStream<'_>| {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            if lit.value().is_empty() {
                return Err(syn::Error::new_spanned(&lit, "an empty property path"));
            }
            return Ok(Source::Text(lit));
        }
        let parts = Punctuated::<Ident, Token![.]>::parse_separated_nonempty_with(
            input,
            syn::ext::IdentExt::parse_any,
        )?;
        let parts: Vec<Ident> = parts.into_iter().collect();
        if let [one] = parts.as_slice() {
            if one == "view" {
                return Ok(Source::View);
            }
            if one == "reference" {
                return Ok(Source::Reference);
            }
        }
        Ok(Source::Typed(parts))
    })
}

/// How a field is taken from `Props`, and the type a text path of it reads:
/// `Option<T>` is `optional` of `T`, `Vec<T>` is `array` of `Vec<T>`, any
/// other type is `required` of itself.
fn shape(ty: &Type) -> (Tokens, &Type) {
    if let Type::Path(p) = ty {
        if let Some(last) = p.path.segments.last() {
            if last.ident == "Vec" {
                return (quote! { array }, ty);
            }
            if last.ident == "Option" {
                if let syn::PathArguments::AngleBracketed(a) = &last.arguments {
                    if let Some(syn::GenericArgument::Type(inner)) = a.args.first() {
                        return (quote! { optional }, inner);
                    }
                }
            }
        }
    }
    (quote! { required }, ty)
}
