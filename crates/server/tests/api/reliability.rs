//! Abuse resistance (README, "Reliability"): every input has a bounded cost,
//! bad input is refused with a stable code and never corrupts data. Each test
//! runs against the real server on SQLite and on Postgres.

use crate::support;

use chrono::{Datelike, NaiveDate, Utc};
use serde_json::{json, Value};
use support::TestApp;

/// The first February 29th after today.
fn next_leap_day() -> NaiveDate {
    let today = Utc::now().date_naive();
    (today.year()..)
        .filter_map(|year| NaiveDate::from_ymd_opt(year, 2, 29))
        .find(|day| *day > today)
        .unwrap()
}

async fn pending(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/api/tasks?status=pending", token)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

on_both_backends! {
    async fn sub_daily_and_out_of_range_rules_are_refused(app: TestApp) {
        let token = app.user("ada").await;
        let cases = [
            ("FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23", "recurrence_unsupported"),
            ("FREQ=DAILY;BYMINUTE=0,15,30,45", "recurrence_unsupported"),
            ("FREQ=DAILY;BYSECOND=0", "recurrence_unsupported"),
            ("FREQ=HOURLY", "recurrence_unsupported"),
            ("FREQ=DAILY;INTERVAL=0", "recurrence_out_of_range"),
            ("FREQ=DAILY;COUNT=1000000", "recurrence_out_of_range"),
            // Found by fuzzing: a panic (500) inside the rrule crate.
            ("FREQ=WEEKLY;BYDAY=MO,T\u{527}E", "recurrence_invalid"),
        ];
        let task = app.task(&token, json!({"title": "Stand-up", "due_at": "2030-01-01"})).await;
        for (rule, code) in cases {
            let body = app.post("/api/tasks", &token, json!({"title": "x", "recurrence": rule})).await.problem(422, "validation_failed");
            assert_eq!(body["errors"][0]["field"], "recurrence", "{rule}");
            assert_eq!(body["errors"][0]["code"], code, "{rule}");
            let body = app.patch(&format!("/api/tasks/{}", task["id"]), &token, json!({"recurrence": rule})).await.problem(422, "validation_failed");
            assert_eq!(body["errors"][0]["code"], code, "{rule}");
        }
        assert_eq!(app.get("/api/tasks", &token).await.expect(200)["total"], 1, "nothing refused was stored");
    }

    async fn the_costliest_rules_complete_with_the_right_next_occurrence(app: TestApp) {
        let token = app.user("ada").await;
        // Rarely matching, due in year 1: found after today.
        let rare = app.task(&token, json!({"title": "Leap day", "due_at": "0001-01-01", "recurrence": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29"})).await;
        // Never matching: the series ends, the completion still succeeds.
        let never = app.task(&token, json!({"title": "Never", "due_at": "0001-01-01",
            "recurrence": "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30,31,-31;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=1,2,3,-1,-2,-3"})).await;
        let (rare_path, never_path) = (format!("/api/tasks/{}/complete", rare["id"]), format!("/api/tasks/{}/complete", never["id"]));
        let (a, b, health) = tokio::join!(
            app.post(&rare_path, &token, json!({})),
            app.post(&never_path, &token, json!({})),
            app.client.get(format!("{}/healthz", app.base)).send(),
        );
        assert_eq!(a.expect(200)["completed"], true);
        assert_eq!(b.expect(200)["completed"], true);
        assert!(health.unwrap().status().is_success());
        let next = pending(&app, &token).await;
        assert_eq!(next.len(), 1, "{next:?}");
        assert_eq!(next[0]["title"], "Leap day");
        assert_eq!(next[0]["due_at"], format!("{}T00:00:00Z", next_leap_day()));
    }

    async fn a_completion_racing_an_edit_schedules_from_what_it_completed(app: TestApp) {
        let token = app.user("ada").await;
        for round in 0..6 {
            let task = app.task(&token, json!({"title": format!("round {round}"), "due_at": "2031-03-10", "recurrence": "FREQ=DAILY"})).await;
            let path = format!("/api/tasks/{}", task["id"]);
            let complete = format!("{path}/complete");
            let (done, _) = tokio::join!(
                app.post(&complete, &token, json!({})),
                app.patch(&path, &token, json!({"due_at": "2031-07-20"})),
            );
            let done = done.expect(200);
            let successors: Vec<Value> = pending(&app, &token).await.into_iter().filter(|t| t["title"] == task["title"]).collect();
            assert_eq!(successors.len(), 1, "round {round}: {successors:?}");
            // The day after the due date the task had when it was completed
            // (an edit may land before or after the completion).
            let expected = match done["due_at"].as_str().unwrap() {
                "2031-03-10T00:00:00Z" => "2031-03-11T00:00:00Z",
                "2031-07-20T00:00:00Z" => "2031-07-21T00:00:00Z",
                other => panic!("round {round}: completed with due {other}"),
            };
            assert_eq!(done["completed"], true);
            assert_eq!(successors[0]["due_at"], expected, "round {round}");
        }
    }
}

/// One password check at a time, and no waiting for it: a burst of sign-ins
/// gets 503 `sign_in_busy` with Retry-After for those that find it taken.
mod a_burst_of_sign_ins_is_bounded {
    use super::*;
    use support::Backend;

    async fn run(backend: Backend) {
        let app = TestApp::spawn_with(
            backend,
            &[
                "--password-hashing-memory",
                "7MiB",
                "--sign-in-queue-timeout",
                "1ms",
                "--sign-in-limit-per-account",
                "1000",
            ],
        )
        .await;
        app.user("ada").await;
        let wrong = json!({"email": "ada@example.com", "password": "wrong horse"});
        let mut burst = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let request = app
                .client
                .post(format!("{}/api/auth/login", app.base))
                .json(&wrong);
            burst.spawn(async move { TestApp::answer(request.send().await.unwrap()).await });
        }
        let mut busy = 0;
        while let Some(answer) = burst.join_next().await {
            let answer = answer.unwrap();
            match answer.status.as_u16() {
                401 => {}
                503 => {
                    busy += 1;
                    assert_eq!(answer.headers["retry-after"], "1");
                    answer.problem(503, "sign_in_busy");
                }
                other => panic!("unexpected {other}: {}", answer.body),
            }
        }
        assert!(busy > 0, "16 sign-ins at once all found the one slot free");
        assert!(busy < 16, "none got the slot");
        // Once the burst is over the right password works.
        let right = json!({"email": "ada@example.com", "password": "correct horse"});
        app.call(reqwest::Method::POST, "/api/auth/login", None, Some(right))
            .await
            .expect(200);
    }

    tests_on_both_backends!(run);
}

on_both_backends! {
    async fn due_dates_outside_the_supported_range_are_refused(app: TestApp) {
        let token = app.user("ada").await;
        for due in ["+10000-01-01", "-5000-01-01", "0000-06-01"] {
            let body = app.post("/api/tasks", &token, json!({"title": "far", "due_at": due})).await.problem(422, "validation_failed");
            assert_eq!(body["errors"][0]["code"], "due_at_out_of_range", "{due}");
        }
        let task = app.task(&token, json!({"title": "edge", "due_at": "9999-12-31", "recurrence": "FREQ=DAILY"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        let body = app.patch(&path, &token, json!({"due_at": "+10000-01-01"})).await.problem(422, "validation_failed");
        assert_eq!(body["errors"][0]["code"], "due_at_out_of_range");
        // The daily series ends at the last supported date instead of failing.
        app.post(&format!("{path}/complete"), &token, json!({})).await.expect(200);
        let page = app.get("/api/tasks", &token).await.expect(200);
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["due_at"], "9999-12-31T00:00:00Z");
    }
}

on_both_backends! {
    async fn control_characters_are_refused_everywhere_text_goes_in(app: TestApp) {
        use reqwest::Method;
        // Unauthenticated: sign-up and sign-in.
        let signup = json!({"email": "nul@example.com", "password": "pass\u{0}word", "name": "Nul"});
        let body = app.call(Method::POST, "/api/auth/signup", None, Some(signup)).await.problem(422, "validation_failed");
        assert_eq!(body["errors"][0]["code"], "control_character");
        let signup = json!({"email": "nul@example.com", "password": "password", "name": "N\u{0}l"});
        app.call(Method::POST, "/api/auth/signup", None, Some(signup)).await.problem(422, "validation_failed");
        let login = json!({"email": "a\u{0}@example.com", "password": "password"});
        app.call(Method::POST, "/api/auth/login", None, Some(login)).await.problem(422, "validation_failed");
        // Signed in: tasks, search, tokens, chat.
        let token = app.user("ada").await;
        let task = app.task(&token, json!({"title": "fine", "description": "two\nlines\tand a tab"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        for (method, path, body, field) in [
            (Method::POST, "/api/tasks", json!({"title": "a\u{0}b"}), "title"),
            (Method::POST, "/api/tasks", json!({"title": "ok", "description": "x\u{0}"}), "description"),
            (Method::PATCH, path.as_str(), json!({"title": "\u{1b}[31mred"}), "title"),
            (Method::POST, "/api/tokens", json!({"name": "ci\u{0}"}), "name"),
            (Method::POST, "/api/chat", json!({"message": "add milk\u{0}"}), "message"),
        ] {
            let answer = app.call(method, path, Some(&token), Some(body)).await;
            let body = answer.problem(422, "validation_failed");
            assert_eq!(body["errors"][0]["field"], field, "{body}");
            assert_eq!(body["errors"][0]["code"], "control_character", "{body}");
        }
        app.get("/api/tasks?q=a%00b", &token).await.problem(422, "validation_failed");
        // Nothing was stored or broken.
        let page = app.get("/api/tasks", &token).await.expect(200);
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["title"], "fine");
    }
}

on_both_backends! {
    async fn a_deleted_user_s_session_is_refused(app: TestApp) {
        let token = app.user("ada").await;
        app.task(&token, json!({"title": "mine"})).await;
        let pat = app.post("/api/tokens", &token, json!({"name": "cli"})).await.expect(201)["token"].as_str().unwrap().to_owned();
        let me = app.get("/api/me", &token).await.expect(200);
        let chat = app.post("/api/chat", &token, json!({"message": "what's due today?"})).await.expect(200);
        let conversation = chat["conversation_id"].as_i64().unwrap();
        // Deleted elsewhere (another replica, an operator): listings and chat
        // turns learn it from their own statements, the rest by a lookup.
        let store = todo_storage::Store::connect(&app.database_url, &Default::default()).await.unwrap();
        assert!(store.delete_user(me["id"].as_i64().unwrap()).await.unwrap());
        for bearer in [token.as_str(), pat.as_str()] {
            app.get("/api/tasks", bearer).await.problem(401, "token_invalid");
            app.get("/api/tasks?offset=50", bearer).await.problem(401, "token_invalid");
            app.post("/api/chat", bearer, json!({"message": "what's due today?"})).await.problem(401, "token_invalid");
            app.post("/api/chat", bearer, json!({"message": "add milk"})).await.problem(401, "token_invalid");
            app.post("/api/chat", bearer, json!({"message": "add milk", "conversation_id": conversation}))
                .await
                .problem(401, "token_invalid");
            app.post("/api/tasks", bearer, json!({"title": "orphan"})).await.problem(401, "token_invalid");
            app.get("/api/me", bearer).await.problem(401, "token_invalid");
        }
        store.close().await;
    }

    async fn answers_with_secrets_are_never_cached(app: TestApp) {
        use reqwest::Method;
        let signup = json!({"email": "ada@example.com", "password": "correct horse", "name": "Ada"});
        let answer = app.call(Method::POST, "/api/auth/signup", None, Some(signup)).await;
        assert_eq!(answer.headers["cache-control"], "no-store");
        let token = answer.expect(201)["token"].as_str().unwrap().to_owned();
        let login = json!({"email": "ada@example.com", "password": "correct horse"});
        let answer = app.call(Method::POST, "/api/auth/login", None, Some(login)).await;
        assert_eq!(answer.headers["cache-control"], "no-store");
        answer.expect(200);
        let answer = app.post("/api/tokens", &token, json!({"name": "cli"})).await;
        assert_eq!(answer.headers["cache-control"], "no-store");
        answer.expect(201);
    }
}

/// `todo serve` serving the UI sends the security headers nginx adds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_has_the_same_security_headers_as_behind_nginx() {
    let nginx = std::fs::read_to_string(
        todo_testkit::workspace_root().join("infra/nginx/nginx.conf.template"),
    )
    .unwrap();
    // add_header Name "value" always;  (Cache-Control differs per path)
    let expected: Vec<(String, String)> = nginx
        .lines()
        .filter_map(|line| line.trim().strip_prefix("add_header "))
        .filter_map(|rest| {
            let (name, value) = rest.split_once(' ')?;
            let value = value.trim_end_matches(';').trim_end_matches(" always");
            Some((
                name.to_ascii_lowercase(),
                value.strip_prefix('"')?.strip_suffix('"')?.to_owned(),
            ))
        })
        .collect();
    assert!(expected.len() >= 6, "{expected:?}");
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><title>todo</title>",
    )
    .unwrap();
    let app = TestApp::spawn_with(
        support::Backend::Sqlite,
        &["--static-dir", ui.path().to_str().unwrap()],
    )
    .await;
    for path in ["/", "/tasks/42", "/assets/missing.js"] {
        let response = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        for (name, value) in &expected {
            assert_eq!(
                response.headers().get_all(name).iter().collect::<Vec<_>>(),
                [value.as_str()],
                "{path}: {name}"
            );
        }
    }
}

on_both_backends! {
    async fn a_personal_access_token_reaches_tasks_and_chat_but_not_tokens(app: TestApp) {
        let session = app.user("ada").await;
        let created = app.post("/api/tokens", &session, json!({"name": "mcp"})).await.expect(201);
        let pat = created["token"].as_str().unwrap().to_owned();
        // Tasks and chat work with it.
        app.task(&pat, json!({"title": "from the token"})).await;
        app.post("/api/chat", &pat, json!({"message": "list my tasks"})).await.expect(200);
        // Token management does not, so a leaked token cannot outlive its revocation.
        let path = format!("/api/tokens/{}", created["id"]);
        app.post("/api/tokens", &pat, json!({"name": "spare"})).await.problem(403, "token_scope");
        app.get("/api/tokens", &pat).await.problem(403, "token_scope");
        app.delete(&path, &pat).await.problem(403, "token_scope");
        let listed = app.get("/api/tokens", &session).await.expect(200);
        assert_eq!(listed.as_array().unwrap().len(), 1, "no token was minted");
        app.delete(&path, &session).await.expect(204);
        app.get("/api/tasks", &pat).await.problem(401, "token_invalid");
    }
}

on_both_backends! {
    async fn concurrent_partial_updates_all_land(app: TestApp) {
        let token = app.user("ada").await;
        for round in 0..5 {
            let task = app.task(&token, json!({"title": format!("round {round}")})).await;
            let path = format!("/api/tasks/{}", task["id"]);
            let changes = [
                json!({"title": format!("renamed {round}")}),
                json!({"description": "described"}),
                json!({"priority": "high"}),
                json!({"tags": ["home"]}),
                json!({"due_at": "2031-05-01"}),
                json!({"recurrence": "FREQ=WEEKLY"}),
            ];
            let answers = futures_join_all(&app, &path, &token, &changes).await;
            assert!(answers.iter().all(|status| *status == 200), "round {round}: {answers:?}");
            let stored = app.get(&path, &token).await.expect(200);
            assert_eq!(stored["title"], format!("renamed {round}"), "round {round}: {stored}");
            assert_eq!(stored["description"], "described", "round {round}: {stored}");
            assert_eq!(stored["priority"], "high", "round {round}: {stored}");
            assert_eq!(stored["tags"], json!(["home"]), "round {round}: {stored}");
            assert_eq!(stored["due_at"], "2031-05-01T00:00:00Z", "round {round}: {stored}");
            assert_eq!(stored["recurrence"], "FREQ=WEEKLY", "round {round}: {stored}");
            assert_eq!(stored["version"], task["version"].as_i64().unwrap() + 6, "one version per update");
        }
    }

    async fn if_match_guards_an_update_against_a_newer_version(app: TestApp) {
        let token = app.user("ada").await;
        let task = app.task(&token, json!({"title": "draft"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        let read = app.get(&path, &token).await;
        let etag = read.headers["etag"].to_str().unwrap().to_owned();
        assert_eq!(etag, format!("\"{}\"", task["version"]));
        // Someone else changes it…
        let newer = app.client.patch(format!("{}{path}", app.base)).bearer_auth(&token).json(&json!({"title": "theirs"})).send().await.unwrap();
        let newer_etag = newer.headers()["etag"].to_str().unwrap().to_owned();
        assert_ne!(newer_etag, etag);
        // …so a change made from the old read is refused, and nothing is lost.
        for stale in [etag.as_str(), "\"nonsense\"", "W/\"1\""] {
            let refused = app.client.patch(format!("{}{path}", app.base)).bearer_auth(&token)
                .header("if-match", stale).json(&json!({"title": "mine"})).send().await.unwrap();
            TestApp::answer(refused).await.problem(412, "precondition_failed");
        }
        assert_eq!(app.get(&path, &token).await.expect(200)["title"], "theirs");
        let accepted = app.client.patch(format!("{}{path}", app.base)).bearer_auth(&token)
            .header("if-match", &newer_etag).json(&json!({"title": "mine"})).send().await.unwrap();
        assert_eq!(TestApp::answer(accepted).await.expect(200)["title"], "mine");
        for any in ["*", ""] {
            let answer = app.client.patch(format!("{}{path}", app.base)).bearer_auth(&token)
                .header("if-match", any).json(&json!({"priority": "low"})).send().await.unwrap();
            TestApp::answer(answer).await.expect(200);
        }
    }
}

/// Sends every change at once; the statuses, in order.
async fn futures_join_all(app: &TestApp, path: &str, token: &str, changes: &[Value]) -> Vec<u16> {
    let mut all = tokio::task::JoinSet::new();
    for (index, change) in changes.iter().enumerate() {
        let request = app
            .client
            .patch(format!("{}{path}", app.base))
            .bearer_auth(token)
            .json(change);
        all.spawn(async move { (index, request.send().await.unwrap().status().as_u16()) });
    }
    let mut statuses = vec![0; changes.len()];
    while let Some(done) = all.join_next().await {
        let (index, status) = done.unwrap();
        statuses[index] = status;
    }
    statuses
}

/// Sign-ins are throttled per account and per client address (429 with
/// Retry-After), and the most common passwords are refused at sign-up.
mod brute_force_is_throttled {
    use super::*;
    use reqwest::Method;
    use support::Backend;

    async fn login(app: &TestApp, email: &str, password: &str, real_ip: &str) -> support::Answer {
        let request = app
            .client
            .post(format!("{}/api/auth/login", app.base))
            .header("x-real-ip", real_ip)
            .json(&json!({"email": email, "password": password}));
        TestApp::answer(request.send().await.unwrap()).await
    }

    async fn run(backend: Backend) {
        let app = TestApp::spawn_with(
            backend,
            &[
                "--sign-in-limit-per-account",
                "3",
                "--sign-in-limit-per-address",
                "5",
                "--sign-in-limit-window",
                "1h",
                "--client-address-header",
                "X-Real-IP",
            ],
        )
        .await;
        for common in ["password123", "12345678", "qwertyuiop"] {
            let signup = json!({"email": "weak@example.com", "password": common, "name": "Weak"});
            let body = app
                .call(Method::POST, "/api/auth/signup", None, Some(signup))
                .await
                .problem(422, "validation_failed");
            assert_eq!(body["errors"][0]["code"], "password_common", "{common}");
        }
        app.user("ada").await;
        // Three tries for Ada's account, from anywhere; then even the right
        // password waits.
        for ip in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
            login(&app, "ada@example.com", "wrong horse", ip)
                .await
                .problem(401, "invalid_credentials");
        }
        let throttled = login(&app, "ada@example.com", "correct horse", "10.0.0.4").await;
        let retry_after: u64 = throttled.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=1200).contains(&retry_after), "{retry_after}");
        throttled.problem(429, "too_many_sign_ins");
        // Five tries per address, whatever the accounts; another address is
        // not affected.
        for n in 0..5 {
            login(
                &app,
                &format!("nobody{n}@example.com"),
                "wrong horse",
                "10.0.0.9",
            )
            .await
            .problem(401, "invalid_credentials");
        }
        login(&app, "nobody9@example.com", "wrong horse", "10.0.0.9")
            .await
            .problem(429, "too_many_sign_ins");
        login(&app, "nobody9@example.com", "wrong horse", "10.0.0.10")
            .await
            .problem(401, "invalid_credentials");
    }

    tests_on_both_backends!(run);
}

/// A client that sends its headers slowly, or keeps a connection idle, is cut
/// off after HEADER_READ_TIMEOUT; past MAX_CONNECTIONS new connections are
/// closed at once, and served again once others close.
mod slow_clients_are_cut_off {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    use support::Backend;

    /// Reads until the server closes the connection (or 30 s pass, which
    /// fails the test: no server this test starts waits that long).
    fn closed_by_server(stream: &mut TcpStream) -> bool {
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut buffer = [0u8; 1024];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    }

    fn connect(app: &TestApp) -> TcpStream {
        TcpStream::connect(app.base.trim_start_matches("http://")).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn half_sent_headers_and_idle_connections_are_closed() {
        let app = TestApp::spawn_with(Backend::Sqlite, &["--header-read-timeout", "1s"]).await;
        let mut half_sent = connect(&app);
        half_sent
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            .unwrap();
        let mut idle = connect(&app);
        let (half_sent_closed, idle_closed) = tokio::task::spawn_blocking(move || {
            (
                closed_by_server(&mut half_sent),
                closed_by_server(&mut idle),
            )
        })
        .await
        .unwrap();
        assert!(half_sent_closed && idle_closed);
        // Whole requests are still served.
        let health = app
            .client
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap();
        assert!(health.status().is_success());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connections_past_the_limit_are_closed_at_once() {
        let app = TestApp::spawn_with(
            Backend::Sqlite,
            &["--max-connections", "3", "--header-read-timeout", "60s"],
        )
        .await;
        let held: Vec<TcpStream> = (0..3).map(|_| connect(&app)).collect();
        // Accepted in order: give the server a moment to take the three.
        let mut extra = connect(&app);
        let refused = tokio::task::spawn_blocking(move || closed_by_server(&mut extra))
            .await
            .unwrap();
        assert!(refused, "a fourth connection was kept open");
        drop(held);
        // The slots come back once those connections close.
        let mut served = false;
        for _ in 0..50 {
            let client = todo_server::http_client::client();
            if let Ok(response) = client.get(format!("{}/healthz", app.base)).send().await {
                served = response.status().is_success();
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            served,
            "no request was served after the held connections closed"
        );
    }
}
