//! Peak days (issue 17): program managers call events ([`ProgramEventsPage`]), devices are
//! reserved by one rule ([`reservation`]), customers see their events, opt out and schedule time
//! away ([`PeakDaysPage`], in admin mode too), and every change is told to the DERMS. The rules
//! are pure ([`rules`], [`change`]); the server's service stores what they decide.

mod account_page;
mod api;
mod change;
mod form;
mod manager_page;
mod model;
mod rules;
#[cfg(feature = "ssr")]
mod service;

pub use account_page::PeakDaysPage;
pub use api::*;
pub use change::{
    plan_call, plan_cancel, verdict_sentence, AccountEventChange, AccountEventState, CallPlan,
    CalledBefore, DermsNotice, EventEffect, HeldAway, HeldDevice, HeldEvent, ManagedEvent,
    Reservable, REASON, REASON_LIMIT,
};
pub use form::{CallEventForm, EventRequest, LocalMoment, LocalTime, TimeAwayForm};
pub use manager_page::ProgramEventsPage;
pub use model::{
    ask, earn, AccountEvent, AccountEvents, AwayPeriod, DeviceAway, DeviceState, EventDevice,
    EventPhase, HistoryEntry, OptOutAllowance, ParticipationTally, ProgramEvent, ProgramEvents,
    Tally, TimeAwayId,
};
pub use rules::{
    check_call, check_opt_out, check_time_away, doubled_event, opt_outs_left, reservation,
    viability, CallRefusal, CalledEvent, Candidate, EventId, EventScope, NotReserved,
    OptOutRefusal, ProposedEvent, Span, TimeAwayRefusal, Viability,
};
#[cfg(feature = "ssr")]
pub use service::{EventsService, PeakDayRequest};
