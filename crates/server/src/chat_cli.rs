//! `todo chat`: the assistant in a terminal. Locally it runs the same chat
//! turn as the server on the local database; with `--server` it talks to a
//! running server over `/api/chat`, streaming the reply as it comes.

use anyhow::{bail, Context};
use std::io::{BufRead, Write};
use std::sync::Arc;
use todo_assistant::{Assistant, Builtin, Chat, Toolbox, TurnEvents};
use todo_domain::chat::{Action, ChatRequest, ChatResponse};
use todo_services::Principal;

use crate::config::ChatArgs;

/// Where turns go: the local database or a remote server.
enum Backend {
    Local {
        chat: Chat,
        principal: Principal,
    },
    Remote {
        client: reqwest::Client,
        server: String,
        token: String,
    },
}

struct Printer;

impl TurnEvents for Printer {
    fn delta(&self, text: &str) {
        print!("{text}");
        let _ = std::io::stdout().flush();
    }
}

fn describe(action: &Action) -> String {
    format!(
        "  [{} {}]",
        action.tool,
        if action.ok() { "✓" } else { "✗" }
    )
}

impl Backend {
    async fn open(args: &ChatArgs) -> anyhow::Result<Self> {
        if let Some(server) = &args.server {
            let token = args
                .token
                .clone()
                .context("--server needs a personal access token: --token or TODO_TOKEN")?;
            return Ok(Backend::Remote {
                client: crate::http_client::client(),
                server: server.trim_end_matches('/').to_owned(),
                token,
            });
        }
        // Local turns issue no sessions, so an ephemeral signing key will do.
        let secret: [u8; 32] = rand::random();
        let store = crate::serve::open_store(&args.database).await?;
        let services = crate::serve::services_over(&store, &secret, chrono::Duration::hours(1));
        let principal = match (&args.token, &args.user) {
            (Some(token), _) => services
                .authenticate(token)
                .await
                .context("the token (TODO_TOKEN) is not valid")?,
            (None, user) => services
                .local_account(user.as_deref())
                .await?
                .context(match user {
                    Some(email) => format!("no account with the email {email}"),
                    None => "choose an account with --user EMAIL (there is none, or more than one)"
                        .to_owned(),
                })?,
        };
        let llm = args
            .llm
            .assistant()?
            .map(|llm| Arc::new(llm) as Arc<dyn Assistant>);
        let chat = Chat::new(Toolbox::new(services), Arc::new(Builtin::new()), llm)
            .with_routing(args.llm.assistant_mode);
        Ok(Backend::Local { chat, principal })
    }

    /// Sends one message, printing the reply as it streams.
    async fn send(
        &self,
        message: &str,
        conversation_id: Option<i64>,
    ) -> anyhow::Result<ChatResponse> {
        let request = ChatRequest {
            message: message.to_owned(),
            conversation_id,
        };
        match self {
            Backend::Local { chat, principal } => {
                Ok(chat.turn(*principal, request, &Printer).await?)
            }
            Backend::Remote {
                client,
                server,
                token,
            } => {
                let response = client
                    .post(format!("{server}/api/chat"))
                    .bearer_auth(token)
                    .header("accept", "text/event-stream")
                    .json(&request)
                    .send()
                    .await
                    .with_context(|| format!("cannot reach {server}"))?;
                if !response.status().is_success() {
                    let status = response.status();
                    let problem: serde_json::Value = response.json().await.unwrap_or_default();
                    bail!(
                        "the server answered {status}: {}",
                        problem["detail"].as_str().unwrap_or("no details")
                    );
                }
                read_stream(response).await
            }
        }
    }
}

/// Prints `delta` events as they arrive and returns the `done` answer.
async fn read_stream(mut response: reqwest::Response) -> anyhow::Result<ChatResponse> {
    let mut buffer = String::new();
    while let Some(chunk) = response.chunk().await? {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    event = value.trim().to_owned();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                }
            }
            let value: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
            match event.as_str() {
                "delta" => Printer.delta(value["text"].as_str().unwrap_or("")),
                "done" => return Ok(serde_json::from_value(value)?),
                "error" => bail!(
                    "{}",
                    value["detail"].as_str().unwrap_or("the chat turn failed")
                ),
                _ => {}
            }
        }
    }
    bail!("the server closed the stream before the answer was complete")
}

pub async fn run(args: ChatArgs) -> anyhow::Result<()> {
    let backend = Backend::open(&args).await?;
    let mut conversation = args.conversation;
    if !args.message.is_empty() {
        let answer = backend.send(&args.message.join(" "), conversation).await?;
        finish(&answer);
        return Ok(());
    }
    eprintln!("Talk to your todo list. Try \"add call mom tomorrow at 6pm\" or \"help\". /new starts over, Ctrl-D quits.");
    let stdin = std::io::stdin();
    loop {
        eprint!("> ");
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            return Ok(());
        }
        match line.trim() {
            "" => continue,
            "/quit" | "/exit" => return Ok(()),
            "/new" => {
                conversation = None;
                eprintln!("(new conversation)");
                continue;
            }
            message => match backend.send(message, conversation).await {
                Ok(answer) => {
                    conversation = Some(answer.conversation_id);
                    finish(&answer);
                }
                Err(error) => eprintln!("todo: {}", format!("{error:#}").replace('\n', " ")),
            },
        }
    }
}

fn finish(answer: &ChatResponse) {
    println!();
    for action in &answer.actions {
        println!("{}", describe(action));
    }
}
