//! What the LLM tests share: the real stack (a fresh SQLite store, the
//! domain services, the toolbox and a signed-up user) and a recorder of
//! streamed events.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use serde_json::json;
use todo_assistant::llm::LlmAssistant;
use todo_assistant::{Assistant, AssistantError, Chat, Reply, Toolbox, Turn, TurnEvents};
use todo_domain::account::SignupRequest;
use todo_domain::chat::Action;
use todo_domain::query::TaskQueryParams;
use todo_services::{system_clock, AuthConfig, Principal, Services};
use todo_storage::{Store, StoreOptions};

pub struct Stack {
    pub services: Services,
    /// The store under the services, for a test that takes it away.
    pub store: Store,
    pub toolbox: Toolbox,
    pub principal: Principal,
    _dir: tempfile::TempDir,
}

pub async fn stack() -> Stack {
    stack_with(system_clock()).await
}

/// With the clock stopped at `now`.
pub async fn stack_at(now: &str) -> Stack {
    let now: chrono::DateTime<chrono::Utc> = now.parse().unwrap();
    stack_with(Arc::new(move || now)).await
}

async fn stack_with(clock: todo_services::Clock) -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("todo.db").display());
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let services = Services::new(
        store.clone(),
        AuthConfig::new(&[7u8; 32], chrono::Duration::hours(1)),
        clock,
    );
    let session = services
        .signup(SignupRequest {
            email: "ada@example.com".into(),
            password: "correct horse battery".into(),
            name: "Ada".into(),
            timezone: Some("Europe/Paris".into()),
        })
        .await
        .unwrap();
    let principal = services.authenticate(&session.token).await.unwrap();
    Stack {
        toolbox: Toolbox::new(services.clone()),
        services,
        store,
        principal,
        _dir: dir,
    }
}

impl Stack {
    pub async fn titles(&self) -> Vec<String> {
        let params = TaskQueryParams {
            status: Some("all".into()),
            sort: Some("title".into()),
            ..TaskQueryParams::default()
        };
        let page = self
            .services
            .list_tasks(self.principal, &params)
            .await
            .unwrap();
        page.items.into_iter().map(|t| t.title).collect()
    }

    pub async fn respond(
        &self,
        assistant: &LlmAssistant,
        message: &str,
        events: &dyn TurnEvents,
    ) -> Result<Reply, AssistantError> {
        let mut state = json!({});
        let turn = Turn {
            principal: self.principal,
            now: self.services.now(),
            message,
            history: &[],
            state: &mut state,
            hint: "",
        };
        assistant.respond(turn, &self.toolbox, events).await
    }

    pub fn chat(&self, llm: LlmAssistant) -> Chat {
        Chat::new(self.toolbox.clone(), Arc::new(StandIn), Some(Arc::new(llm)))
    }
}

/// Stands in for the builtin assistant when the model fails.
pub struct StandIn;

#[async_trait]
impl Assistant for StandIn {
    fn name(&self) -> &'static str {
        "builtin"
    }

    async fn respond(
        &self,
        _turn: Turn<'_>,
        _tools: &Toolbox,
        _events: &dyn TurnEvents,
    ) -> Result<Reply, AssistantError> {
        Ok(Reply {
            text: "the stand-in answered".into(),
            actions: vec![],
        })
    }
}

#[derive(Default)]
pub struct Recorder {
    pub deltas: Mutex<Vec<(Instant, String)>>,
    pub actions: Mutex<Vec<Action>>,
}

impl TurnEvents for Recorder {
    fn delta(&self, text: &str) {
        self.deltas
            .lock()
            .unwrap()
            .push((Instant::now(), text.to_owned()));
    }
    fn action(&self, action: &Action) {
        self.actions.lock().unwrap().push(action.clone());
    }
}

impl Recorder {
    pub fn text(&self) -> String {
        self.deltas
            .lock()
            .unwrap()
            .iter()
            .map(|(_, t)| t.as_str())
            .collect()
    }
}
