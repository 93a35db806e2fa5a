//! Sign in and sign up.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use todo_domain::account::{LoginRequest, Session, SignupRequest, PASSWORD_MIN_CHARS};

use crate::api::{ApiError, ApiResult, Client};
use crate::state::{app_state, browser_timezone, AppState, Page};

#[component]
pub fn SignIn() -> impl IntoView {
    let state = app_state();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let request = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        authenticate(
            state,
            busy,
            error,
            Ok(request),
            |client, request| async move { client.login(&request).await },
        );
    };

    view! {
        <AuthFrame title="Sign in">
            {move || state.notice.get().map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
            <form class="auth-form" on:submit=submit novalidate>
                <FormError error=error/>
                <Field label="Email" id="signin-email" error=error field="email">
                    <input id="signin-email" type="email" autocomplete="email" required
                        bind:value=email aria-describedby="signin-email-error"/>
                </Field>
                <Field label="Password" id="signin-password" error=error field="password">
                    <input id="signin-password" type="password" autocomplete="current-password" required
                        bind:value=password aria-describedby="signin-password-error"/>
                </Field>
                <button class="button primary wide" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
            <p class="auth-switch">
                "New here? "
                <a href="/signup" on:click=move |ev| { ev.prevent_default(); state.navigate(Page::SignUp); }>
                    "Create an account"
                </a>
            </p>
        </AuthFrame>
    }
}

#[component]
pub fn SignUp() -> impl IntoView {
    let state = app_state();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let timezone = browser_timezone();
    let timezone_hint = timezone.clone().unwrap_or_else(|| "UTC".into());

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let request = SignupRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
            name: name.get_untracked(),
            timezone: timezone.clone(),
        };
        // The domain's own rules first: instant feedback, same messages.
        let checked = match request.clone().validate() {
            Ok(_) => Ok(request),
            Err(errors) => Err(ApiError::Problem(errors.into())),
        };
        authenticate(state, busy, error, checked, |client, request| async move {
            client.signup(&request).await
        });
    };

    view! {
        <AuthFrame title="Create your account">
            <form class="auth-form" on:submit=submit novalidate>
                <FormError error=error/>
                <Field label="Name" id="signup-name" error=error field="name">
                    <input id="signup-name" type="text" autocomplete="name" required
                        bind:value=name aria-describedby="signup-name-error"/>
                </Field>
                <Field label="Email" id="signup-email" error=error field="email">
                    <input id="signup-email" type="email" autocomplete="email" required
                        bind:value=email aria-describedby="signup-email-error"/>
                </Field>
                <Field label="Password" id="signup-password" error=error field="password">
                    <input id="signup-password" type="password" autocomplete="new-password" required
                        minlength=PASSWORD_MIN_CHARS bind:value=password
                        aria-describedby="signup-password-error signup-password-hint"/>
                    <p class="hint" id="signup-password-hint">{format!("At least {PASSWORD_MIN_CHARS} characters.")}</p>
                </Field>
                <p class="hint">"Dates are read in your time zone: " <strong>{timezone_hint}</strong> "."</p>
                <button class="button primary wide" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating account…" } else { "Sign up" }}
                </button>
            </form>
            <p class="auth-switch">
                "Already have an account? "
                <a href="/signin" on:click=move |ev| { ev.prevent_default(); state.navigate(Page::SignIn); }>"Sign in"</a>
            </p>
        </AuthFrame>
    }
}

/// Sends a sign-in or sign-up once (a second submit while one is under way
/// does nothing) and signs in with the session it answers.
fn authenticate<R, F>(
    state: AppState,
    busy: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    request: Result<R, ApiError>,
    send: impl FnOnce(Client, R) -> F,
) where
    F: Future<Output = ApiResult<Session>> + 'static,
{
    if busy.get_untracked() {
        return;
    }
    let request = match request {
        Ok(request) => request,
        Err(invalid) => return error.set(Some(invalid)),
    };
    busy.set(true);
    error.set(None);
    let answer = send(state.client(), request);
    spawn_local(async move {
        match answer.await {
            Ok(session) => {
                state.reached();
                state.sign_in(session);
            }
            Err(e) => error.set(Some(e)),
        }
        busy.set(false);
    });
}

#[component]
fn AuthFrame(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main id="main" class="auth-page">
            <div class="auth-card">
                <div class="auth-brand">
                    <span class="brand-mark" aria-hidden="true">"✓"</span>
                    <span>"Todo Chatbot"</span>
                </div>
                <h1>{title}</h1>
                {children()}
            </div>
            <p class="auth-tagline">"A todo list you can talk to. Self-hosted, private, fast."</p>
        </main>
    }
}

/// An error that belongs to no single field.
#[component]
pub fn FormError(error: RwSignal<Option<ApiError>>) -> impl IntoView {
    view! {
        {move || {
            error
                .get()
                .filter(|e| !matches!(e, ApiError::Problem(p) if p.code == "validation_failed"))
                .map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })
        }}
    }
}

/// A labelled input with its error underneath.
#[component]
pub fn Field(
    label: &'static str,
    #[prop(into)] id: String,
    error: RwSignal<Option<ApiError>>,
    field: &'static str,
    children: Children,
) -> impl IntoView {
    let message = move || error.with(|e| e.as_ref().and_then(|e| e.field(field)));
    // The control says it is invalid too (`aria-invalid`), for screen readers.
    let wrapper = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let invalid = message().is_some();
        if let Some(control) = wrapper
            .get()
            .and_then(|div| div.query_selector("input, select, textarea").ok().flatten())
        {
            let _ = if invalid {
                control.set_attribute("aria-invalid", "true")
            } else {
                control.remove_attribute("aria-invalid")
            };
        }
    });
    view! {
        <div class="field" class:invalid=move || message().is_some() node_ref=wrapper>
            <label for=id.clone()>{label}</label>
            {children()}
            <p class="field-error" id=format!("{id}-error") aria-live="polite">{message}</p>
        </div>
    }
}
