//! `todo healthcheck`: a container health probe that needs no shell or curl
//! in the image. One HTTP/1.1 request to the local server; exit 0 on 200.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub async fn check(port: u16, path: &str, timeout: Duration) -> Result<(), String> {
    let request = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buffer = [0u8; 64];
        let read = stream.read(&mut buffer).await.map_err(|e| e.to_string())?;
        let status_line = String::from_utf8_lossy(&buffer[..read]);
        match status_line.split_whitespace().nth(1) {
            Some("200") => Ok(()),
            Some(code) => Err(format!("{path} answered {code}")),
            None => Err("no HTTP answer".to_owned()),
        }
    };
    tokio::time::timeout(timeout, request)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {timeout:?}")))
}
