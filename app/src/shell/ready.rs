//! A view with nothing left to wait for, rendered to HTML in one pass.
//!
//! Pages render on the server with Leptos' async renderer (`SsrMode::Async`), which lets any
//! part of a page wait for data. The price is paid by every element, waiting or not: each one
//! renders its opening tag into a string of its own, grown attribute by attribute, then copies
//! it into the page, and allocates another string for its closing tag (tachys 0.2,
//! `HtmlElement::to_html_async_with_buf`). Once a page's data is there, nothing below can wait,
//! so [`Ready`] renders what it wraps with the synchronous renderer, straight into the page's
//! buffer: the same HTML, byte for byte, without the per-element strings.
//!
//! Only for views with no `Suspend` below them: the synchronous renderer would render a pending
//! one as nothing. [`super::Loaded`] wraps what it shows once the data has arrived; the header
//! and the pages that read nothing wrap themselves.

use leptos::prelude::*;
use leptos::tachys::html::attribute::{any_attribute::AnyAttribute, Attribute};
use leptos::tachys::hydration::Cursor;
use leptos::tachys::view::any_view::AnyViewState;
use leptos::tachys::view::{add_attr::AddAnyAttr, Position, PositionState, Render, RenderHtml};

/// See the module's documentation.
pub struct Ready(AnyView);

impl Ready {
    pub fn new(view: impl IntoView + 'static) -> Self {
        Self(view.into_any())
    }
}

impl Render for Ready {
    type State = AnyViewState;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state)
    }
}

impl AddAnyAttr for Ready {
    type Output<SomeNewAttr: Attribute> = Ready;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        Ready(self.0.add_any_attr(attr).into_any())
    }
}

/// Everything is the wrapped view's, except `to_html_async_with_buf`, which is the trait's own
/// default: the synchronous renderer, into the stream's buffer.
impl RenderHtml for Ready {
    type AsyncOutput = Self;
    type Owned = Self;
    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve()
    }

    async fn resolve(self) -> Self::AsyncOutput {
        Ready(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        self
    }
}
