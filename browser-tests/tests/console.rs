//! The web console in a real browser: headless Chromium driven through chromedriver (WebDriver), against a mock
//! on port 0 with a manual clock and an admin token. What a QA person does: open the console, give the token,
//! watch a sale under the `operator` latency profile reach IN_PROGRESS, decline it with the button, and see the
//! journal rows and the client checks arrive without reloading; approve the next one from the keyboard; reset the
//! mock and see the console follow. Screenshots go to `target/browser/` (the README's come from there).
//!
//! Needs Chromium and chromedriver (Debian's `chromium` and `chromium-driver`): `make test-browser` installs them.
//! `CHROMIUM` and `CHROMEDRIVER` name other binaries.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use mock_server::{Clock, Config, ManualClock, MockServer, Timestamp};
use serde_json::{Value, json};

const TOKEN: &str = "console-token";
const TID: &str = "999888";

/// A chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: run `make test-browser`, which installs Debian's chromium and chromium-driver (or set {var})",
        path.display()
    );
    path
}

async fn driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary("CHROMEDRIVER", "/usr/bin/chromedriver"))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("{}/status", driver.url))
            .send()
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(50)).await; // a process starting, not the code under test
    }
    panic!("chromedriver did not answer on {}", driver.url);
}

async fn browser(driver: &Driver) -> Client {
    let chromium = binary("CHROMIUM", "/usr/bin/chromium");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--window-size=1280,1500"]}),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a headless Chromium session")
}

/// Waits (up to 20 s) for an element the console is expected to show by itself.
async fn shown(c: &Client, xpath: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("the console never showed {xpath}: {e}"))
}

/// Clicks what the console shows.
async fn click(c: &Client, xpath: &str) {
    shown(c, xpath).await.click().await.unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

/// The POS's side, over plain HTTP.
struct Pos {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Pos {
    async fn login(base: &str) -> Self {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let form = [
            ("grant_type", "password"),
            ("username", "jan.novak@example.com"),
            ("password", "ABCDEFGHIJKL"),
            ("tid", TID),
        ];
        let r: Value = http
            .post(format!("{base}/cloud/oauth/token"))
            .basic_auth("atom", Some("ashfuf4e5fa"))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Pos {
            http,
            base: base.to_owned(),
            token: r["access_token"].as_str().unwrap().to_owned(),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn sale(&self, amount: Value) -> (u16, Value) {
        let body = json!({"apiKey": "333W212J3", "Tid": TID, "initiator": "Cash desk 1", "title": "Invoice 1",
                          "transactionOperation": "SALE", "transactionType": "CARD", "amount": amount});
        self.call(reqwest::Method::POST, "/v1/tasks/TRANSACTION", Some(body))
            .await
    }

    async fn task(&self, id: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/v1/tasks/{id}"), None)
            .await
            .1
    }
}

const CARD: &str = "//article[@data-tid='999888']";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_declines_a_sale_on_the_console_and_sees_the_journal_and_the_checks_live() {
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let config = Config {
        port: 0,
        latency: "operator".into(),
        admin_token: Some(TOKEN.into()),
        ..Config::default()
    };
    let mock = MockServer::builder()
        .config(config)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let base = mock.base_url().to_owned();
    let driver = driver().await;
    let c = browser(&driver).await;

    // the mock has an admin token: the console asks for it
    c.goto(&format!("{base}/__console")).await.unwrap();
    let field = shown(
        &c,
        "//div[@id='login' and not(@hidden)]//input[@id='token']",
    )
    .await;
    field.send_keys(TOKEN).await.unwrap();
    click(&c, "//form[@id='login-form']//button").await;
    shown(&c, &format!("{CARD}//div[contains(@class,'idle')]")).await;
    shown(&c, "//span[@id='live' and text()='live']").await;
    shown(&c, "//span[@id='mode' and text()='manual clock']").await;

    // a POS that first sends 11.11 as a decimal (refused), then the sale in minor units
    let pos = Pos::login(&base).await;
    assert_eq!(pos.sale(json!(11.11)).await.0, 406);
    let (status, created) = pos.sale(json!(1111)).await;
    assert_eq!(status, 200, "{created}");
    let id = created["taskId"].as_str().unwrap().to_owned();
    clock.advance(Duration::from_secs(3));
    assert_eq!(pos.task(&id).await["status"], "IN_PROGRESS");

    // the terminal shows it waiting for a person, the journal shows the POS's calls, without a reload
    shown(
        &c,
        &format!("{CARD}//div[@data-status and text()='IN_PROGRESS']"),
    )
    .await;
    shown(
        &c,
        &format!("{CARD}//div[contains(@class,'amount') and text()='11.11 CZK']"),
    )
    .await;
    shown(
        &c,
        "//table[@id='journal']//tr[contains(@class,'row')]/td[text()='/v1/tasks/TRANSACTION']",
    )
    .await;
    shown(
        &c,
        "//table[@id='journal']//tr[contains(@class,'row')]/td[text()='406']",
    )
    .await;
    screenshot(&c, "console-deciding.png").await;

    // the decline button, with its reason
    click(&c, &format!("{CARD}//button[@data-decline]")).await;
    shown(
        &c,
        &format!("{CARD}//ul[@class='recent']//span[text()='COMPLETED']"),
    )
    .await;
    let done = pos.task(&id).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let txn = pos
        .call(
            reqwest::Method::GET,
            &format!("/v1/transactions/{}", done["contextId"].as_str().unwrap()),
            None,
        )
        .await
        .1;
    assert_eq!(txn["result"], "DECLINED", "{txn}");

    // the checks, re-judged as the traffic came: the decimal amount fails, the token use passes
    shown(
        &c,
        "//div[@data-check='CLIENT-AMOUNT-MINOR-UNITS' and contains(@class,'v-fail')]",
    )
    .await;
    shown(
        &c,
        "//div[@data-check='CLIENT-TOKEN-BASIC' and contains(@class,'v-pass')]",
    )
    .await;
    shown(
        &c,
        "//div[@id='timelines']//div[contains(@class,'band') and text()='IN_PROGRESS']",
    )
    .await;
    shown(
        &c,
        "//div[@id='timelines']//span[contains(text(),'last told COMPLETED')]",
    )
    .await;
    // evidence links to its journal row, which opens
    click(
        &c,
        "//div[@data-check='CLIENT-AMOUNT-MINOR-UNITS']//a[@data-seq]",
    )
    .await;
    shown(
        &c,
        "//tr[contains(@class,'details')]//pre[contains(text(),'11.11')]",
    )
    .await;
    screenshot(&c, "console-judged.png").await;

    // the next sale is approved from the keyboard: the terminal focused, key `a`
    let (_, created) = pos.sale(json!(2500)).await;
    let next = created["taskId"].as_str().unwrap().to_owned();
    clock.advance(Duration::from_secs(3));
    shown(
        &c,
        &format!("{CARD}//div[@data-status and text()='IN_PROGRESS']"),
    )
    .await;
    let card = c.find(Locator::XPath(CARD)).await.unwrap();
    card.send_keys("a").await.unwrap();
    shown(
        &c,
        &format!("{CARD}//ul[@class='recent']/li[1]//span[text()='COMPLETED']"),
    )
    .await;
    assert_eq!(pos.task(&next).await["status"], "COMPLETED");

    // a reset behind the console's back: it follows without a reload
    let reset = reqwest::Client::new()
        .post(format!("{base}/__admin/reset"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(&format!(
            "{CARD}[not(.//ul[@class='recent'])]"
        )))
        .await
        .expect("the terminal's history is gone after the reset");
    let rows = c
        .find_all(Locator::Css("#journal tbody tr.row"))
        .await
        .unwrap();
    assert!(
        rows.is_empty(),
        "{} journal rows left after the reset",
        rows.len()
    );
    c.close().await.unwrap();
    assert_eq!(
        clock.now(),
        Timestamp::DEFAULT_START.plus_ms(6_000),
        "nothing else moved the clock"
    );
}
