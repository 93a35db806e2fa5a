//! A listing's total, on SQLite and on Postgres: exact up to
//! `offset + max(limit, 100)` matches, and beyond that exactly that number
//! with `total_capped` set, for every sort (the count follows the page's
//! order) and for `q=` and `tag=` as for the whole list.

use crate::support;

use chrono::Utc;
use todo_domain::query::{TaskQueryParams, TOTAL_COUNTED_PAST_OFFSET};
use todo_domain::{NewTask, Priority, Tag, TimeZone};

fn task(title: &str, tag: &str) -> NewTask {
    NewTask {
        title: title.into(),
        description: String::new(),
        priority: Priority::None,
        tags: vec![Tag::parse(tag).unwrap()],
        due: None,
        recurrence: None,
    }
}

async fn totals_are_exact_up_to_the_cap_then_flagged(url: &str) {
    assert_eq!(
        TOTAL_COUNTED_PAST_OFFSET, 100,
        "the cases below are for 100"
    );
    let store = support::store(url).await;
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let other = store
        .insert_user("bob@example.com", "Bob", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    // Another user's matches never count.
    for i in 0..150 {
        store
            .insert_task(other.id, &task(&format!("apple {i}"), "fruit"), now)
            .await
            .unwrap();
    }
    let list = |params: TaskQueryParams| {
        let filter = params.validate().unwrap().resolve(now, TimeZone::UTC);
        let store = &store;
        async move {
            let page = store.list_tasks(user.id, &filter).await.unwrap();
            (page.items.len(), page.total, page.total_capped)
        }
    };
    let params =
        |q: Option<&str>, tag: Option<&str>, sort: &str, limit: u32, offset: u32| TaskQueryParams {
            q: q.map(str::to_owned),
            tag: tag.map(str::to_owned),
            sort: Some(sort.into()),
            limit: Some(limit.to_string()),
            offset: Some(offset.to_string()),
            ..TaskQueryParams::default()
        };

    // 100 apples (tagged fruit) and 60 pears (tagged other), then one
    // apple more.
    for i in 0..100 {
        store
            .insert_task(user.id, &task(&format!("apple {i}"), "fruit"), now)
            .await
            .unwrap();
    }
    for i in 0..60 {
        store
            .insert_task(user.id, &task(&format!("pear {i}"), "other"), now)
            .await
            .unwrap();
    }
    for sort in ["created", "due", "priority", "title"] {
        let apples = |limit, offset| params(Some("apple"), None, sort, limit, offset);
        let fruit = |limit, offset| params(None, Some("fruit"), sort, limit, offset);
        // Exactly at the cap: exact.
        assert_eq!(list(apples(10, 0)).await, (10, 100, false), "{sort}");
        assert_eq!(list(fruit(10, 0)).await, (10, 100, false), "{sort}");
        assert_eq!(list(apples(100, 0)).await, (100, 100, false), "{sort}");
        // Below it: exact, whatever the page.
        let pears = params(Some("pear"), None, sort, 10, 0);
        assert_eq!(list(pears).await, (10, 60, false), "{sort}");
        let other = params(None, Some("other"), sort, 50, 20);
        assert_eq!(list(other).await, (40, 60, false), "{sort}");
        // All 160: past the cap, so the total says 100 and capped.
        assert_eq!(
            list(params(None, None, sort, 10, 0)).await,
            (10, 100, true),
            "{sort}"
        );
        // The cap counts from the offset, and from a bigger page's limit.
        assert_eq!(
            list(params(None, None, sort, 10, 50)).await,
            (10, 150, true),
            "{sort}"
        );
        assert_eq!(
            list(params(None, None, sort, 10, 60)).await,
            (10, 160, false),
            "{sort}"
        );
        assert_eq!(
            list(params(None, None, sort, 150, 0)).await,
            (150, 150, true),
            "{sort}"
        );
        assert_eq!(
            list(params(None, None, sort, 200, 0)).await,
            (160, 160, false),
            "{sort}"
        );
        // Past the end: nothing on the page, the total still exact.
        assert_eq!(
            list(params(None, None, sort, 10, 500)).await,
            (0, 160, false),
            "{sort}"
        );
    }
    store
        .insert_task(user.id, &task("apple 100", "fruit"), now)
        .await
        .unwrap();
    for sort in ["created", "due", "priority", "title"] {
        let apples = |limit, offset| params(Some("apple"), None, sort, limit, offset);
        let fruit = |limit, offset| params(None, Some("fruit"), sort, limit, offset);
        // One past the cap: flagged, counted from a page short of it or
        // seen on a page as big as the cap.
        assert_eq!(list(apples(10, 0)).await, (10, 100, true), "{sort}");
        assert_eq!(list(fruit(50, 0)).await, (50, 100, true), "{sort}");
        assert_eq!(list(apples(100, 0)).await, (100, 100, true), "{sort}");
        assert_eq!(list(fruit(100, 1)).await, (100, 101, false), "{sort}");
        assert_eq!(list(apples(101, 0)).await, (101, 101, false), "{sort}");
    }
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    totals_are_exact_up_to_the_cap_then_flagged(&url).await;
}

#[tokio::test]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    totals_are_exact_up_to_the_cap_then_flagged(&url).await;
}
