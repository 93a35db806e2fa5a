//! Sign-up, sign-in, sessions and personal access tokens, on both databases.

use crate::support;

use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::Method;
use serde_json::json;
use support::{TestApp, JWT_SECRET};

fn jwt(secret: &str, sub: &str, exp_offset_seconds: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": sub, "tz": "UTC", "iat": now, "exp": now + exp_offset_seconds});
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn unsigned_jwt(sub: &str) -> String {
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let exp = chrono::Utc::now().timestamp() + 3600;
    format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(json!({"sub": sub, "tz": "UTC", "exp": exp}))
    )
}

on_both_backends! {
    async fn signup_login_and_me(app: TestApp) {
        let body = json!({"email": " Ada@Example.com ", "password": "correct horse", "name": " Ada ", "timezone": "Europe/Paris"});
        let session = app.call(Method::POST, "/api/auth/signup", None, Some(body)).await.expect(201);
        assert_eq!(session["user"]["email"], "ada@example.com");
        assert_eq!(session["user"]["name"], "Ada");
        assert_eq!(session["user"]["timezone"], "Europe/Paris");
        let me = app.get("/api/me", session["token"].as_str().unwrap()).await.expect(200);
        assert_eq!(me, session["user"]);

        let login = json!({"email": "ADA@example.com", "password": "correct horse"});
        let again = app.call(Method::POST, "/api/auth/login", None, Some(login)).await.expect(200);
        assert_eq!(again["user"]["id"], session["user"]["id"]);
        assert!(app.get("/api/me", again["token"].as_str().unwrap()).await.status.is_success());
    }

    async fn wrong_password_and_unknown_email_answer_alike(app: TestApp) {
        app.user("ada").await;
        let wrong = json!({"email": "ada@example.com", "password": "wrong horse"});
        let a = app.call(Method::POST, "/api/auth/login", None, Some(wrong)).await.problem(401, "invalid_credentials");
        let unknown = json!({"email": "bob@example.com", "password": "correct horse"});
        let b = app.call(Method::POST, "/api/auth/login", None, Some(unknown)).await.problem(401, "invalid_credentials");
        assert_eq!(a["detail"], b["detail"]);
    }

    async fn duplicate_email_is_a_conflict(app: TestApp) {
        app.user("ada").await;
        let body = json!({"email": "ADA@example.com", "password": "another one", "name": "Ada 2"});
        app.call(Method::POST, "/api/auth/signup", None, Some(body)).await.problem(409, "email_taken");
    }

    async fn signup_validates_each_field(app: TestApp) {
        let body = json!({"email": "nope", "password": "short", "name": "", "timezone": "Mars/Base"});
        let problem = app.call(Method::POST, "/api/auth/signup", None, Some(body)).await.problem(422, "validation_failed");
        let codes: Vec<_> = problem["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_owned()).collect();
        assert_eq!(codes, ["email_invalid", "password_too_short", "name_empty", "timezone_invalid"]);
    }

    async fn bad_tokens_are_refused(app: TestApp) {
        let token = app.user("ada").await;
        let me = app.get("/api/me", &token).await.expect(200);
        let id = me["id"].to_string();

        let missing = app.call(Method::GET, "/api/tasks", None, None).await;
        assert_eq!(missing.headers.get("www-authenticate").unwrap(), "Bearer");
        missing.problem(401, "token_missing");
        app.get("/api/tasks", &jwt("another-secret-that-is-also-long-enough", &id, 3600)).await.problem(401, "token_invalid");
        app.get("/api/tasks", &jwt(JWT_SECRET, &id, -3600)).await.problem(401, "token_expired");
        app.get("/api/tasks", &unsigned_jwt(&id)).await.problem(401, "token_invalid");
        app.get("/api/tasks", "not-a-token").await.problem(401, "token_invalid");
        app.get("/api/tasks", "tdc_unknownunknownunknownunknownunknown1234").await.problem(401, "token_invalid");
        // A correctly signed token is accepted, so the refusals above are about the token.
        app.get("/api/tasks", &jwt(JWT_SECRET, &id, 3600)).await.expect(200);
    }

    async fn personal_access_tokens(app: TestApp) {
        let session = app.user("ada").await;
        let created = app.post("/api/tokens", &session, json!({"name": "Claude Desktop"})).await.expect(201);
        let secret = created["token"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("tdc_") && secret.len() == 44, "{secret}");
        assert!(secret.starts_with(created["prefix"].as_str().unwrap().trim_end_matches('…')));

        // The token acts for the user, and the list never shows the secret again.
        app.task(&secret, json!({"title": "from a script"})).await;
        assert_eq!(app.titles(&session, "").await, ["from a script"]);
        let listed = app.get("/api/tokens", &session).await.expect(200);
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["name"], "Claude Desktop");
        assert!(listed[0]["last_used_at"].is_string());
        assert!(!listed.to_string().contains(&secret));

        app.post("/api/tokens", &session, json!({"name": "  "})).await.problem(422, "validation_failed");

        // Another user cannot revoke it; its owner can, and then it stops working.
        let bob = app.user("bob").await;
        let path = format!("/api/tokens/{}", created["id"]);
        app.delete(&path, &bob).await.problem(404, "token_not_found");
        app.delete(&path, &session).await.expect(204);
        app.get("/api/tasks", &secret).await.problem(401, "token_invalid");
        app.delete(&path, &session).await.problem(404, "token_not_found");
    }
}
