//! Peak days (issue 17): program managers call events, devices are reserved, customers opt out
//! or schedule time away. This first part is the rules ([`rules`]) and the program manager's
//! form ([`form`]), pure and unit tested; the service, the pages and the DERMS messages build on
//! them.

mod form;
mod rules;

pub use form::{CallEventForm, EventRequest, LocalTime};
pub use rules::{
    check_call, check_opt_out, check_time_away, opt_outs_left, reservation, viability, CallRefusal,
    Candidate, EventId, EventScope, NotReserved, OptOutRefusal, ProposedEvent, Span,
    TimeAwayRefusal, Viability,
};
