//! What every storage test needs: a migrated store on either database.

use tempfile::TempDir;
use todo_domain::{NewTask, Priority, Tag};
use todo_storage::{Store, StoreOptions};

/// A store on `url` with every migration applied, default options.
pub async fn store(url: &str) -> Store {
    let store = Store::connect(url, &StoreOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// A task with only a title.
pub fn new_task(title: impl Into<String>) -> NewTask {
    NewTask {
        title: title.into(),
        description: String::new(),
        priority: Priority::None,
        tags: Vec::new(),
        due: None,
        recurrence: None,
    }
}

/// A task with a title and tags (normal ones: `home`, not `#Home`).
pub fn tagged_task(title: impl Into<String>, tags: &[&str]) -> NewTask {
    NewTask {
        tags: tags.iter().map(|tag| Tag::parse(tag).unwrap()).collect(),
        ..new_task(title)
    }
}

/// The URL of a new SQLite file named `name` in `dir`.
pub fn sqlite_url(dir: &TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join(name).display())
}
