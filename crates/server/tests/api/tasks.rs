//! The task API against the real server, on SQLite and on Postgres.

use crate::support;

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use support::TestApp;

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset)).to_string()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

on_both_backends! {
    async fn create_get_update_delete(app: TestApp) {
        let token = app.user("ada").await;
        let task = app.task(&token, json!({
            "title": "  Write report  ", "description": "Q3 numbers", "priority": "high",
            "tags": ["Work", "#q3"], "due_at": "2030-05-01T16:30:00+02:00"
        })).await;
        assert_eq!(task["title"], "Write report");
        assert_eq!(task["description"], "Q3 numbers");
        assert_eq!(task["priority"], "high");
        assert_eq!(task["tags"], json!(["work", "q3"]));
        assert_eq!(task["due_at"], "2030-05-01T14:30:00Z");
        assert_eq!(task["all_day"], false);
        assert_eq!(task["completed"], false);
        assert_eq!(task["completed_at"], Value::Null);
        assert_eq!(task["recurrence"], Value::Null);
        assert!(task["id"].is_i64());
        assert_eq!(task["created_at"], task["updated_at"]);

        let path = format!("/api/tasks/{}", task["id"]);
        assert_eq!(app.get(&path, &token).await.expect(200), task);

        let updated = app.patch(&path, &token, json!({"title": "Write the report", "priority": "urgent", "due_at": "2030-05-02"})).await.expect(200);
        assert_eq!(updated["title"], "Write the report");
        assert_eq!(updated["priority"], "urgent");
        assert_eq!(updated["due_at"], "2030-05-02T00:00:00Z");
        assert_eq!(updated["all_day"], true);
        assert_eq!(updated["tags"], json!(["work", "q3"]), "fields left out are kept");
        assert_ne!(updated["updated_at"], task["updated_at"]);

        let cleared = app.patch(&path, &token, json!({"due_at": null, "tags": [], "description": ""})).await.expect(200);
        assert_eq!(cleared["due_at"], Value::Null);
        assert_eq!(cleared["all_day"], false);
        assert_eq!(cleared["tags"], json!([]));

        app.delete(&path, &token).await.expect(204);
        app.get(&path, &token).await.problem(404, "task_not_found");
        app.delete(&path, &token).await.problem(404, "task_not_found");
    }

    async fn complete_and_reopen(app: TestApp) {
        let token = app.user("ada").await;
        let task = app.task(&token, json!({"title": "Call mom"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        let done = app.post(&format!("{path}/complete"), &token, json!({})).await.expect(200);
        assert_eq!(done["completed"], true);
        assert!(done["completed_at"].is_string());
        // Completing again changes nothing.
        let again = app.post(&format!("{path}/complete"), &token, json!({})).await.expect(200);
        assert_eq!(again["completed_at"], done["completed_at"]);
        let open = app.post(&format!("{path}/reopen"), &token, json!({})).await.expect(200);
        assert_eq!(open["completed"], false);
        assert_eq!(open["completed_at"], Value::Null);
        // PATCH completed does the same.
        let patched = app.patch(&path, &token, json!({"completed": true})).await.expect(200);
        assert_eq!(patched["completed"], true);
        assert_eq!(app.patch(&path, &token, json!({"completed": false})).await.expect(200)["completed"], false);
    }

    async fn completing_a_recurring_task_schedules_the_next(app: TestApp) {
        let token = app.user("ada").await;
        let task = app.task(&token, json!({
            "title": "Water plants", "tags": ["home"], "priority": "low",
            "due_at": day(0), "recurrence": "FREQ=WEEKLY;BYDAY=MO,TH"
        })).await;
        app.post(&format!("/api/tasks/{}/complete", task["id"]), &token, json!({})).await.expect(200);
        let pending = app.get("/api/tasks?status=pending", &token).await.expect(200);
        assert_eq!(pending["total"], 1);
        let next = &pending["items"][0];
        assert_ne!(next["id"], task["id"]);
        assert_eq!(next["title"], "Water plants");
        assert_eq!(next["tags"], json!(["home"]));
        assert_eq!(next["priority"], "low");
        assert_eq!(next["recurrence"], "FREQ=WEEKLY;BYDAY=MO,TH");
        assert_eq!(next["all_day"], true);
        let next_date = chrono::NaiveDate::parse_from_str(&next["due_at"].as_str().unwrap()[..10], "%Y-%m-%d").unwrap();
        use chrono::Datelike;
        assert!(next_date > Utc::now().date_naive());
        assert!(matches!(next_date.weekday(), chrono::Weekday::Mon | chrono::Weekday::Thu));
        assert!(next_date <= Utc::now().date_naive() + Duration::days(7));

        // A second completion of the same task does not schedule another one.
        app.post(&format!("/api/tasks/{}/complete", task["id"]), &token, json!({})).await.expect(200);
        assert_eq!(app.get("/api/tasks", &token).await.expect(200)["total"], 2);
    }

    async fn monthly_on_the_31st_clamps(app: TestApp) {
        let token = app.user("ada").await;
        let task = app.task(&token, json!({"title": "Invoice", "due_at": "2031-01-31", "recurrence": "FREQ=MONTHLY"})).await;
        app.post(&format!("/api/tasks/{}/complete", task["id"]), &token, json!({})).await.expect(200);
        let next = app.get("/api/tasks?status=pending", &token).await.expect(200);
        assert_eq!(next["items"][0]["due_at"], "2031-02-28T00:00:00Z");
    }

    async fn filters(app: TestApp) {
        let token = app.user("ada").await;
        app.task(&token, json!({"title": "Buy milk", "tags": ["shopping"], "priority": "low", "due_at": day(0)})).await;
        app.task(&token, json!({"title": "Pay 100% of rent_due", "tags": ["home"], "priority": "urgent", "due_at": day(-3)})).await;
        app.task(&token, json!({"title": "Plan trip", "description": "Book the MILK bar", "tags": ["travel", "fun"], "due_at": day(4)})).await;
        app.task(&token, json!({"title": "Read a book", "tags": ["fun"], "priority": "high"})).await;
        let done = app.task(&token, json!({"title": "Old chore", "due_at": day(-10)})).await;
        app.post(&format!("/api/tasks/{}/complete", done["id"]), &token, json!({})).await.expect(200);
        app.task(&token, json!({"title": "Later", "due_at": day(30)})).await;

        let sorted = |mut v: Vec<String>| { v.sort(); v };
        assert_eq!(app.titles(&token, "status=completed").await, ["Old chore"]);
        assert_eq!(app.titles(&token, "status=pending").await.len(), 5);
        assert_eq!(app.titles(&token, "status=all").await.len(), 6);
        assert_eq!(sorted(app.titles(&token, "q=milk").await), ["Buy milk", "Plan trip"]);
        // LIKE wildcards in the query are literal.
        assert_eq!(app.titles(&token, "q=100%25").await, ["Pay 100% of rent_due"]);
        assert_eq!(app.titles(&token, "q=t_due").await, ["Pay 100% of rent_due"]);
        assert!(app.titles(&token, "q=r_nt").await.is_empty());
        assert_eq!(sorted(app.titles(&token, "tag=fun").await), ["Plan trip", "Read a book"]);
        assert_eq!(app.titles(&token, "tag=%23Travel").await, ["Plan trip"]);
        assert!(app.titles(&token, "tag=fu").await.is_empty(), "tags match whole");
        assert_eq!(app.titles(&token, "priority=urgent").await, ["Pay 100% of rent_due"]);
        assert_eq!(app.titles(&token, "due=today").await, ["Buy milk"]);
        assert_eq!(app.titles(&token, "due=overdue").await, ["Pay 100% of rent_due"]);
        assert_eq!(sorted(app.titles(&token, "due=week").await), ["Buy milk", "Plan trip"]);
        assert_eq!(app.titles(&token, "due=none").await, ["Read a book"]);
        assert_eq!(app.titles(&token, &format!("due_after={}", day(10))).await, ["Later"]);
        assert_eq!(sorted(app.titles(&token, &format!("due_before={}", day(0))).await), ["Old chore", "Pay 100% of rent_due"]);
        assert_eq!(app.titles(&token, "tag=fun&priority=high&status=pending").await, ["Read a book"]);
    }

    async fn timed_tasks_fall_on_the_users_local_day(app: TestApp) {
        // In Tokyo (UTC+9), 20:00 UTC yesterday is already today.
        let token = app.user_in("ada", "Asia/Tokyo").await;
        let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
        let today_tokyo = Utc::now().with_timezone(&tokyo).date_naive();
        let local_noon = today_tokyo.and_hms_opt(12, 0, 0).unwrap().and_local_timezone(tokyo).unwrap();
        app.task(&token, json!({"title": "Lunch in Tokyo", "due_at": local_noon.to_rfc3339()})).await;
        let tomorrow_noon = local_noon + Duration::days(1);
        app.task(&token, json!({"title": "Tomorrow", "due_at": tomorrow_noon.to_rfc3339()})).await;
        assert_eq!(app.titles(&token, "due=today").await, ["Lunch in Tokyo"]);
    }

    async fn completed_lists_what_was_completed_in_the_users_days(app: TestApp) {
        // The completion happens now, on the server's clock: today in Tokyo
        // whatever the UTC date (earlier days are in the storage test).
        let token = app.user_in("ada", "Asia/Tokyo").await;
        let done = app.task(&token, json!({"title": "Done now", "due_at": day(-20)})).await;
        app.post(&format!("/api/tasks/{}/complete", done["id"]), &token, json!({})).await.expect(200);
        app.task(&token, json!({"title": "Due today, open", "due_at": day(0)})).await;
        assert_eq!(app.titles(&token, "completed=today").await, ["Done now"]);
        assert_eq!(app.titles(&token, "completed=WEEK").await, ["Done now"]);
        assert!(app.titles(&token, "completed=yesterday").await.is_empty());
        assert!(app.titles(&token, "completed=today&status=pending").await.is_empty());
        let problem = app.get("/api/tasks?completed=lastyear", &token).await.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "completed");
        assert_eq!(problem["errors"][0]["code"], "completed_invalid");
    }

    async fn sorts(app: TestApp) {
        let token = app.user("ada").await;
        app.task(&token, json!({"title": "banana", "priority": "low", "due_at": day(2)})).await;
        app.task(&token, json!({"title": "Apple", "priority": "urgent"})).await;
        app.task(&token, json!({"title": "cherry", "priority": "medium", "due_at": day(1)})).await;
        assert_eq!(app.titles(&token, "").await, ["cherry", "Apple", "banana"], "newest first by default");
        assert_eq!(app.titles(&token, "sort=created&order=asc").await, ["banana", "Apple", "cherry"]);
        assert_eq!(app.titles(&token, "sort=title").await, ["Apple", "banana", "cherry"]);
        assert_eq!(app.titles(&token, "sort=title&order=desc").await, ["cherry", "banana", "Apple"]);
        assert_eq!(app.titles(&token, "sort=priority").await, ["Apple", "cherry", "banana"]);
        assert_eq!(app.titles(&token, "sort=priority&order=asc").await, ["banana", "cherry", "Apple"]);
        assert_eq!(app.titles(&token, "sort=due").await, ["cherry", "banana", "Apple"], "no due date last");
        assert_eq!(app.titles(&token, "sort=due&order=desc").await, ["banana", "cherry", "Apple"]);
    }

    async fn pagination(app: TestApp) {
        let token = app.user("ada").await;
        for i in 0..7 {
            app.task(&token, json!({"title": format!("task {i}")})).await;
        }
        let first = app.get("/api/tasks?sort=created&order=asc&limit=3", &token).await.expect(200);
        let second = app.get("/api/tasks?sort=created&order=asc&limit=3&offset=3", &token).await.expect(200);
        let last = app.get("/api/tasks?sort=created&order=asc&limit=3&offset=6", &token).await.expect(200);
        let beyond = app.get("/api/tasks?sort=created&order=asc&limit=3&offset=50", &token).await.expect(200);
        assert_eq!(first["total"], 7);
        assert_eq!(second["total"], 7);
        assert_eq!(beyond["total"], 7);
        assert_eq!(beyond["total_capped"], false);
        assert_eq!(beyond["items"], json!([]));
        let all: Vec<i64> = [ids(&first), ids(&second), ids(&last)].concat();
        let mut unique = all.clone();
        unique.dedup();
        assert_eq!(all.len(), 7);
        assert_eq!(unique, all);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        app.get("/api/tasks?limit=0", &token).await.problem(422, "validation_failed");
        app.get("/api/tasks?limit=201", &token).await.problem(422, "validation_failed");
    }

    // The total counts up to `offset` + max(`limit`, 100) matches; past
    // that, the answer says it stopped (`total_capped`).
    async fn total_stops_at_its_cap_and_says_so(app: TestApp) {
        let token = app.user("ada").await;
        let total = |page: Value| (page["total"].as_i64().unwrap(), page["total_capped"].as_bool().unwrap());
        for i in 0..100 {
            app.task(&token, json!({"title": format!("apple {i}"), "tags": ["fruit"]})).await;
        }
        app.task(&token, json!({"title": "pear"})).await;
        assert_eq!(total(app.get("/api/tasks?q=apple&limit=10", &token).await.expect(200)), (100, false));
        assert_eq!(total(app.get("/api/tasks?tag=fruit&limit=100", &token).await.expect(200)), (100, false));
        for query in ["limit=10", "limit=100", "sort=due&limit=1", "sort=title&limit=50&offset=0"] {
            let page = app.get(&format!("/api/tasks?{query}"), &token).await.expect(200);
            assert_eq!(total(page), (100, true), "{query}: 101 tasks");
        }
        assert_eq!(total(app.get("/api/tasks?limit=10&offset=1", &token).await.expect(200)), (101, false));
        assert_eq!(total(app.get("/api/tasks?limit=200", &token).await.expect(200)), (101, false));
        app.task(&token, json!({"title": "apple 100", "tags": ["fruit"]})).await;
        assert_eq!(total(app.get("/api/tasks?q=apple&limit=10", &token).await.expect(200)), (100, true));
        assert_eq!(total(app.get("/api/tasks?tag=fruit&sort=priority", &token).await.expect(200)), (100, true));
    }

    async fn clear_completed(app: TestApp) {
        let token = app.user("ada").await;
        let bob = app.user("bob").await;
        for title in ["a", "b", "c"] {
            let task = app.task(&token, json!({"title": title})).await;
            if title != "b" {
                app.post(&format!("/api/tasks/{}/complete", task["id"]), &token, json!({})).await.expect(200);
            }
        }
        let bobs = app.task(&bob, json!({"title": "bob's"})).await;
        app.post(&format!("/api/tasks/{}/complete", bobs["id"]), &bob, json!({})).await.expect(200);
        assert_eq!(app.post("/api/tasks/clear-completed", &token, json!({})).await.expect(200), json!({"deleted": 2}));
        assert_eq!(app.titles(&token, "").await, ["b"]);
        assert_eq!(app.titles(&bob, "").await, ["bob's"], "other users keep theirs");
    }

    async fn text_round_trips_byte_for_byte(app: TestApp) {
        let token = app.user("ada").await;
        let titles = [
            "Robert'); DROP TABLE tasks;--",
            "100% \"quoted\" \\ back_slash %_",
            "Pizza night 🍕🎉 with 👨‍👩‍👧",
            "שלום עולם — مرحبا بالعالم",
            "e\u{301}te\u{301} Z\u{0327}a\u{0308}",
            "$1 $2 ?1 :name @p",
        ];
        for title in titles {
            let created = app.task(&token, json!({"title": title, "description": title})).await;
            assert_eq!(created["title"], title);
            let read = app.get(&format!("/api/tasks/{}", created["id"]), &token).await.expect(200);
            assert_eq!(read["title"].as_str().unwrap().as_bytes(), title.as_bytes());
            assert_eq!(read["description"].as_str().unwrap().as_bytes(), title.as_bytes());
        }
        assert_eq!(app.titles(&token, "q=drop%20table").await, [titles[0]]);
        assert_eq!(app.get("/api/tasks", &token).await.expect(200)["total"], titles.len());
    }
}
