//! The reception screen in a real headless Chromium (Debian's chromium + chromium-driver), driven over
//! WebDriver on 127.0.0.1, against a real `onshi serve --demo`: check a patient in by card and by number,
//! show a dependent, lock a PIN, the grace period, a revoked card, overlapping coverage, not found.
//! Screenshots are kept in target/screenshots/ as test artefacts.
//!
//! Needs Debian's chromium, chromium-driver and fonts-ipamj-mincho (`scripts/test.sh`, the README's test command,
//! installs them); without them this test fails and says so, it never passes silently.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_http(port: u16, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let mut buf = [0u8; 64];
            // the status line is enough (chromedriver keeps the connection open)
            if s.write_all(req.as_bytes()).is_ok()
                && let Ok(n) = s.read(&mut buf)
                && String::from_utf8_lossy(&buf[..n]).contains(" 200 ")
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("nothing answered 200 on 127.0.0.1:{port}{path} within 60 s");
}

fn screenshots() -> PathBuf {
    // CARGO_MANIFEST_DIR is crates/onshi; the workspace target/ is two levels up
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

struct Page {
    c: Client,
    base: String,
}

impl Page {
    async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.expect("screenshot");
        std::fs::write(screenshots().join(format!("{name}.png")), png).expect("write screenshot");
    }

    async fn text(&self, testid: &str) -> String {
        self.c
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
            .unwrap_or_else(|e| panic!("no [data-testid={testid}] on the page: {e}"))
            .text()
            .await
            .expect("text")
    }

    async fn fill(&self, id: &str, value: &str) {
        let e = self.c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("no #{id}: {e}"));
        e.clear().await.expect("clear");
        if !value.is_empty() {
            e.send_keys(value).await.expect("type");
        }
    }

    async fn click(&self, id: &str) {
        self.c.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("no #{id}: {e}")).click().await.expect("click");
    }

    /// Places `card` on the reader, types the PIN on the keypad and checks in.
    async fn by_card(&self, card: &str, pin: &str, medication: bool) {
        self.c.goto(&format!("{}/reception", self.base)).await.expect("goto");
        let sel = self.c.find(Locator::Id("card")).await.expect("card select");
        sel.select_by_value(card).await.unwrap_or_else(|e| panic!("card {card} is not on the reader: {e}"));
        self.click("m-pin").await;
        self.fill("pin", pin).await;
        if medication {
            self.click("medication").await;
        }
        self.click("card-submit").await;
        self.c.wait().for_element(Locator::Css("[data-testid=result]")).await.expect("a result");
    }

    /// Scans (types) a document's QR text into the page and verifies it.
    async fn by_document(&self, qr: &str) {
        self.c.goto(&format!("{}/reception", self.base)).await.expect("goto");
        self.fill("qr_text", qr).await;
        self.click("document-submit").await;
        self.c.wait().for_element(Locator::Css("[data-testid=document-result]")).await.expect("a document result");
    }

    async fn by_number(&self, insurer: &str, symbol: &str, number: &str, branch: &str, birth: &str) {
        self.c.goto(&format!("{}/reception", self.base)).await.expect("goto");
        self.fill("insurer_number", insurer).await;
        self.fill("symbol", symbol).await;
        self.fill("number", number).await;
        self.fill("branch", branch).await;
        self.fill("birth_date", birth).await;
        // submit with the keyboard: Enter in the last field
        let e = self.c.find(Locator::Id("birth_date")).await.expect("birth");
        e.send_keys("\u{E007}").await.expect("enter");
        self.c.wait().for_element(Locator::Css("[data-testid=result]")).await.expect("a result");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reception_screen_checks_patients_in_by_card_and_by_number() {
    for (p, what) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        assert!(
            Path::new(p).exists(),
            "{p} is missing: the browser tests need Debian's {what} (bash scripts/test.sh installs them: \
             apt-get install -y chromium chromium-driver fonts-ipamj-mincho)"
        );
    }
    // the server: the demo world and its cards on the reader
    let data = tempfile::tempdir().expect("data");
    let port = free_port();
    let out_path = data.path().join("demo.out");
    let out = std::fs::File::create(&out_path).expect("out");
    let _server = Proc(
        Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data.path().join("d"))
            .env("ONSHI_LOG", "warn")
            .stdout(out)
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn onshi serve --demo"),
    );
    wait_http(port, "/healthz");
    let printed = std::fs::read_to_string(&out_path).expect("demo output");
    let token = printed
        .lines()
        .find(|l| l.contains("sign in with the clinic token"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("onshi_")))
        .unwrap_or_else(|| panic!("the demo printed no reception token:\n{printed}"))
        .to_owned();
    assert!(printed.contains("yamada-taro.card.json") && printed.contains("every PIN is 1234"), "{printed}");

    // the browser
    let dport = free_port();
    let _driver = Proc(
        Command::new(CHROMEDRIVER)
            .args([format!("--port={dport}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn chromedriver"),
    );
    wait_http(dport, "/status");
    let profile = tempfile::tempdir().expect("profile");
    let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,1700",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    }))
    .expect("caps");
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{dport}"))
        .await
        .expect("a WebDriver session with headless chromium");
    let page = Page { c, base: format!("http://127.0.0.1:{port}") };
    // the demo's signed 資格確認書 (onshi serve --demo writes it with its keys)
    let qr = std::fs::read_to_string(data.path().join("d/documents/takahashi.qr.txt")).expect("the demo's 資格確認書");
    let result = run(&page, &token, qr.trim()).await;
    let _ = page.c.clone().close().await;
    result.expect("the reception screen");
}

async fn run(page: &Page, token: &str, qr: &str) -> Result<(), String> {
    let c = &page.c;
    // sign in (the page needs no script at all: forms only)
    c.goto(&format!("{}/reception", page.base)).await.map_err(|e| e.to_string())?;
    page.shot("00-sign-in").await;
    page.fill("token", token).await;
    c.find(Locator::Css("button[type=submit]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    c.wait().for_element(Locator::Id("card")).await.map_err(|e| e.to_string())?;
    let source = c.source().await.map_err(|e| e.to_string())?;
    assert!(!source.contains("<script"), "the reception screen must work without JavaScript");
    // every form control has a label
    let unlabelled = c
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]), select')]
                 .filter(e => !document.querySelector('label[for=\"' + e.id + '\"]')).map(e => e.name);",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(unlabelled, json!([]), "controls without a label");

    // 1. by card, PIN: 山田 太郎 checks in
    page.by_card("yamada-taro.card.json", "1234", true).await;
    page.shot("01-card-valid").await;
    assert_eq!(page.text("result").await, "有効");
    assert_eq!(page.text("copay").await, "3割");
    assert!(page.text("insurer").await.contains("01130012"));
    assert!(page.text("acquired").await.starts_with("2024-04-01"));
    assert!(page.text("consent").await.contains("薬剤情報: 同意"));
    assert_eq!(page.text("exact-name").await, "山田 太郎");

    // 2. by number: 髙橋 一郎 — the exact name in IPAmj明朝, the claim-ready 高橋
    page.by_number("06139992", "7", "2001", "", "1965-03-03").await;
    let font_ok = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             document.fonts.load('44px IPAmjMincho', '髙').then(() =>
               done(document.fonts.check('44px IPAmjMincho', '髙') &&
                    getComputedStyle(document.querySelector('[data-testid=exact-name]')).fontFamily.includes('IPAmjMincho')));",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    page.shot("02-number-valid-ipamj").await;
    let name = c.find(Locator::Css("[data-testid=exact-name]")).await.map_err(|e| e.to_string())?;
    let png = name.screenshot().await.map_err(|e| e.to_string())?;
    std::fs::write(screenshots().join("02b-exact-name-ipamj.png"), png).map_err(|e| e.to_string())?;
    assert_eq!(page.text("result").await, "有効");
    assert_eq!(page.text("exact-name").await, "髙橋 一郎");
    assert_eq!(page.text("name-display").await, "高橋 一郎");
    assert_eq!(font_ok, json!(true), "IPAmj明朝 was not loaded from onshi");

    // 3. a dependent shows the insured person's name
    page.by_card("yamada-hanako.card.json", "1234", false).await;
    page.shot("03-card-dependent").await;
    assert_eq!(page.text("result").await, "有効");
    assert_eq!(page.text("insured-name").await, "山田 太郎");
    page.by_number("01130012", "10", "1001", "01", "1982-09-03").await;
    assert_eq!(page.text("insured-name").await, "山田 太郎");

    // 4. three wrong PINs lock the card; then even the right one is refused, with where to unlock
    page.by_card("sato-isamu.card.json", "0000", false).await;
    assert!(page.text("message").await.contains("あと2回"), "{}", page.text("message").await);
    page.by_card("sato-isamu.card.json", "1111", false).await;
    assert!(page.text("message").await.contains("あと1回"));
    page.by_card("sato-isamu.card.json", "2222", false).await;
    page.shot("04-pin-locked").await;
    assert!(page.text("code").await.contains("pin_locked"));
    let next = page.text("next-step").await;
    assert!(next.contains("市区町村窓口") && next.contains("資格確認書"), "{next}");
    page.by_card("sato-isamu.card.json", "1234", false).await;
    assert!(page.text("code").await.contains("pin_locked"), "a locked card stays locked");

    // 5. expired inside the grace period: valid, with a notice; outside: refused
    page.by_card("kobayashi-megumi-grace.card.json", "1234", false).await;
    page.shot("05-card-grace").await;
    assert_eq!(page.text("result").await, "有効");
    assert!(page.text("certificate").await.contains("猶予期間"));
    page.by_card("kato-hiroshi-expired.card.json", "1234", false).await;
    page.shot("06-card-expired").await;
    assert!(page.text("code").await.contains("card_expired"));
    assert!(page.text("next-step").await.contains("資格確認書"));

    // 6. a revoked card, and overlapping coverage
    page.by_card("hamada-mika-revoked.card.json", "1234", false).await;
    assert!(page.text("code").await.contains("card_revoked"));
    page.by_card("watanabe-makoto-overlap.card.json", "1234", false).await;
    page.shot("07-card-overlap").await;
    // one rule for every check by person: the newest valid coverage is shown, the others named in a notice
    assert_eq!(page.text("result").await, "有効");
    let shown =
        c.find(Locator::Css("main")).await.map_err(|e| e.to_string())?.text().await.map_err(|e| e.to_string())?;
    assert!(shown.contains("overlapping_coverage"), "{shown}");

    // 7. not found by number: what to do next
    page.by_number("06139992", "7", "9999", "", "1990-01-01").await;
    page.shot("08-number-not-found").await;
    assert_eq!(page.text("result").await, "該当資格なし");
    let body =
        c.find(Locator::Css("main")).await.map_err(|e| e.to_string())?.text().await.map_err(|e| e.to_string())?;
    assert!(body.contains("被保険者資格申立書"), "{body}");

    // 8. a 資格確認書's QR code, scanned into the page: genuine, then checked by its numbers
    page.by_document(qr).await;
    page.shot("09-document-genuine").await;
    assert_eq!(page.text("document-result").await, "書面は正しいものです");
    assert_eq!(page.text("document-name").await, "髙橋 一郎");
    assert_eq!(page.text("result").await, "有効");
    // 9. the same code with one character changed: refused, with the next step
    let mut forged = qr.as_bytes().to_vec();
    let i = forged.len() / 2;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    page.by_document(&String::from_utf8(forged).map_err(|e| e.to_string())?).await;
    page.shot("10-document-forged").await;
    assert_eq!(page.text("document-result").await, "この書面では確認できません");
    assert!(page.text("code").await.contains("document_"));
    assert!(page.text("next-step").await.contains("次にすること"));
    Ok(())
}
