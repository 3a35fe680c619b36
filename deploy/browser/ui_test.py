"""The web UI in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by
Selenium against a real thawd (run by ui-test.sh, which passes its URL and token). Every step waits
on what the page shows, never on a fixed sleep, and saves a screenshot of each page.

    ui_test.py URL TOKEN_FILE OPEN_URL SCREENSHOT_DIR SECURED

URL is a thawd started with --auth-token-file TOKEN_FILE; OPEN_URL one without a token. SECURED.cmd
holds the first one's command line (NUL-separated) and SECURED.pid its pid: the test restarts it
mid-job, on the same port and data dir, to see the page resume its event stream.
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

URL, TOKEN_FILE, OPEN_URL, SHOTS, SECURED = sys.argv[1:6]
TOKEN = open(TOKEN_FILE).read().strip()

# A job that runs until the test stops it: a long head phase (the body frozen, so there is something
# to unfreeze) before a fine-tune it never reaches, on three Fashion-MNIST classes. `"cache": false`
# runs the frozen body on every batch, 0.2-0.5 s an epoch on two shared cores: from the activation
# cache the whole head phase takes a few seconds and can end before the test has paused it.
JOB = {
    "name": "ui-browser-test",
    "model": {"architecture": "small-cnn"},
    "num_classes": 3,
    "dataset": {"id": "fashion-mnist", "classes": [0, 1, 7], "per_class": 200, "validation_fraction": 0.25, "seed": 1},
    "phases": [
        {"name": "head", "trainable": ["head"], "epochs": 200, "lr": 0.003, "cache": False},
        {"name": "finetune", "trainable": "all", "epochs": 3, "lr": {"min": 1e-4, "max": 1e-3}},
    ],
    "batch_size": 32,
    "seed": 3,
}


def log(message):
    print(f"ui_test: {message}", flush=True)


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1600", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    try:
        return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    except WebDriverException as error:
        # Loud, not a skip: the stage exists to run in CI.
        sys.exit(f"ui_test: FAILED: Chromium did not start: {error.msg}")


browser = start_browser()
browser.set_script_timeout(30)
os.makedirs(SHOTS, exist_ok=True)


def shot(name):
    path = os.path.join(SHOTS, f"{name}.png")
    browser.save_screenshot(path)
    log(f"screenshot {path}")


def wait(what, condition, timeout=60):
    try:
        return WebDriverWait(browser, timeout, poll_frequency=0.1,
                             ignored_exceptions=[StaleElementReferenceException]).until(lambda _: condition())
    except TimeoutException:
        shot(f"failed-{what.replace(' ', '-')}")
        logs = browser.get_log("browser") if hasattr(browser, "get_log") else []
        sys.exit(f"ui_test: FAILED waiting for {what} (page logs: {logs})")


def find(css):
    return browser.find_element(By.CSS_SELECTOR, css)


def finds(css):
    return browser.find_elements(By.CSS_SELECTOR, css)


# Read in one script call: the page re-renders tables as events arrive, so an element found in one
# call can be gone by the next (a stale reference), while one call sees one state of the page.
def text(css):
    return browser.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)


def value(css):
    return browser.execute_script("const e = document.querySelector(arguments[0]); return e ? e.value : null;", css)


def attr(css, name):
    return browser.execute_script("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css, name)


def check(condition, message):
    if not condition:
        shot("failed-check")
        sys.exit(f"ui_test: FAILED: {message}")


def api(path, method="GET", body=None):
    """The API from inside the page (the same origin and token), for set-up and cross-checks."""
    return browser.execute_async_script("""
        const [path, method, body, token, done] = arguments;
        fetch(path, {method, headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                     body: body === null ? undefined : JSON.stringify(body)})
          .then(async (r) => done({status: r.status, body: await r.json().catch(() => null)}));
    """, path, method, body, TOKEN)


def restart_thawd():
    """SIGTERM the secured thawd (its running job is interrupted, its streams get `shutdown`), then
    start it again with the same command line on the same port; its pid file follows, for cleanup."""
    pid = int(open(SECURED + ".pid").read())
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 30
    while os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z":
        if time.time() > deadline:
            sys.exit("ui_test: FAILED: thawd did not stop within 30 s of SIGTERM")
        time.sleep(0.1)
    command = open(SECURED + ".cmd", "rb").read().split(b"\0")[:-1]
    port = URL.rsplit(":", 1)[1].encode()
    command[command.index(b"--port") + 1] = port
    log_path = SECURED + "-restarted.log"
    process = subprocess.Popen(command, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    open(SECURED + ".pid", "w").write(str(process.pid))
    deadline = time.time() + 30
    while b"listening on" not in open(log_path, "rb").read():
        if process.poll() is not None or time.time() > deadline:
            sys.exit("ui_test: FAILED: thawd did not start again: " + open(log_path).read())
        time.sleep(0.1)


def fill(css, value):
    element = find(css)
    element.clear()
    element.send_keys(value)


try:
    # 1. The token prompt: the page loads without the token, asks for it once, keeps it for the tab.
    browser.get(URL + "/")
    wait("the token dialog", lambda: attr("#token-dialog", "open") is not None)
    check("Authorization" in text("#token-dialog"), "the dialog explains the token")
    shot("01-token-prompt")
    fill("#token-input", "wrong-token")
    find("#token-submit").click()
    wait("the wrong token refused", lambda: "invalid bearer token" in text("#token-error"))
    fill("#token-input", TOKEN)
    find("#token-submit").click()
    wait("the jobs list", lambda: attr("#token-dialog", "open") is None and "No jobs" in text("main"))
    check(browser.execute_script("return sessionStorage.getItem('thaw.token')") == TOKEN, "token kept in sessionStorage")
    check(TOKEN not in browser.current_url, "the token is never in the URL")
    browser.refresh()
    wait("the list after a reload, without asking again", lambda: "No jobs" in text("main"))
    check(attr("#token-dialog", "open") is None, "a reload does not ask again")
    log("token prompt: ok")

    # 2. Submit: a bad value shows the API's problem beside its field.
    browser.get(URL + "/#/submit")
    wait("the job editor", lambda: finds('#spec-fields input[data-field="batch_size"]'))
    Select(find("#template")).select_by_value("pretrain-0to4.json")
    wait("the template loaded", lambda: "fmnist-pretrain-0to4" in value("#spec-json"))
    fill('#spec-fields input[data-field="batch_size"]', "0")
    check(json.loads(value("#spec-json"))["batch_size"] == 0, "the form edits the JSON")
    find("#submit-job").click()
    wait("the batch_size error", lambda: "must be in [1, 65536], got 0" in text('#spec-fields .field-error[data-error-for="batch_size"]'))
    leaf = find('#spec-fields input[data-field="batch_size"]')
    check("invalid" in leaf.get_attribute("class"), "the field is marked")
    shot("02-submit-field-error")
    log("field error: ok")

    # 3. A real job, submitted through the editor's JSON.
    textarea = find("#spec-json")
    browser.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
                           textarea, json.dumps(JOB, indent=2))
    find("#submit-job").click()
    wait("the job page", lambda: "#/jobs/job_" in browser.current_url)
    job_id = browser.current_url.split("#/jobs/")[1]
    log(f"submitted {job_id}")

    # 4. Its curves grow as epochs arrive over the stream.
    def points():
        value = attr("#loss-chart", "data-points")
        return int(value) if value else 0
    wait("the stream", lambda: attr("#stream-state", "data-state") == "live")
    wait("the first epoch on the chart", lambda: points() >= 2, timeout=120)
    first = points()
    wait("more epochs on the chart", lambda: points() > first, timeout=60)
    log(f"loss chart points grew {first} -> {points()}")
    shot("03-job-running")

    # 5. Steer it: pause, unfreeze block2 at 1e-4, see the acknowledgement and the group's state change.
    wait("the pause button", lambda: find("#control-pause").is_enabled())
    find("#control-pause").click()
    wait("paused", lambda: finds('h1 .status[data-status="paused"]'), timeout=60)
    # The pause's own refresh re-renders the groups table; read it once that render has happened.
    wait("block2 frozen before the unfreeze", lambda: attr('#groups-body tr[data-group="block2"]', "data-trainable") == "false", timeout=30)
    Select(find("#freeze-action")).select_by_value("unfreeze")
    Select(find("#freeze-target")).select_by_value("groups")
    find('#freeze-groups input[value="block2"]').click()
    fill("#freeze-lr", "1e-4")
    find("#freeze-submit").click()
    wait("the unfreeze acknowledgement", lambda: finds('#event-log .ack-ok[data-action="unfreeze"]'))
    ack = text('#event-log .ack-ok[data-action="unfreeze"]')
    check("block2" in ack and "acknowledged" in ack, f"the acknowledgement names the state: {ack}")
    wait("block2 trainable in the groups table",
         lambda: attr('#groups-body tr[data-group="block2"]', "data-trainable") == "true")
    check("0.0001" in text('#groups-body tr[data-group="block2"]') or "1.00e-4" in text('#groups-body tr[data-group="block2"]'),
          "block2's peak LR is 1e-4: " + text('#groups-body tr[data-group="block2"]'))
    wait("the marker on the curves", lambda: int(attr("#loss-chart", "data-markers") or 0) >= 3)
    # LRs: halve every peak; a factor out of range is refused beside its field.
    Select(find("#lr-mode")).select_by_value("scale")
    fill("#lr-scale", "20")
    find("#lr-submit").click()
    wait("the scale refusal", lambda: "must be in (0, 10]" in text('#lr-form .field-error[data-error-for="scale"]'))
    fill("#lr-scale", "0.5")
    find("#lr-submit").click()
    wait("the lr acknowledgement", lambda: finds('#event-log .ack-ok[data-action="lr"]'))
    wait("block2's peak halved", lambda: "5.00e-5" in text('#groups-body tr[data-group="block2"]'))
    # A refusal shows the API's error by field: last N groups beyond the model's 3.
    Select(find("#freeze-target")).select_by_value("last")
    fill("#freeze-last", "9")
    find("#freeze-submit").click()
    wait("the refusal beside its field", lambda: "only 3 groups" in text('#freeze-form .field-error[data-error-for="last"]'))
    shot("04-job-unfrozen")
    # The list shows the paused job in progress; back on its page, the replayed stream redraws it all.
    drawn = points()
    browser.get(URL + "/#/jobs")
    wait("the paused job in the list", lambda: finds(f'#jobs-table tr[data-job="{job_id}"]'))
    row = text(f'#jobs-table tr[data-job="{job_id}"]')
    check("paused" in row and "head" in row and " / 203" in row, f"the row shows status, phase and progress: {row}")
    shot("05-jobs-list-paused")
    browser.get(URL + f"/#/jobs/{job_id}")
    wait("the replayed curves", lambda: points() == drawn and finds('#event-log .ack-ok[data-action="unfreeze"]'))
    find("#control-resume").click()
    wait("running again", lambda: finds('h1 .status[data-status="running"]'))
    resumed_at = points()
    wait("epochs after the unfreeze", lambda: points() >= resumed_at + 4, timeout=120)
    log("unfreeze: ok")

    # thawd restarts under the open page: the stream reconnects with Last-Event-ID and the job,
    # resumed from its last checkpoint, goes on drawing on the same curves, no epoch twice.
    restart_thawd()
    wait("the reconnected stream", lambda: attr("#stream-state", "data-state") == "live"
         and "resumed" in text("#event-log"), timeout=120)
    before = points()
    wait("epochs after the restart", lambda: points() >= before + 4, timeout=120)
    log("restart: ok")

    # 6. Stop it: the best weights are restored and evaluated on the test split, with the stop reason,
    #    per-class accuracy, the confusion matrix and the checkpoints shown.
    find("#control-stop").click()
    wait("the job to stop", lambda: finds('h1 .status[data-status="stopped"]'), timeout=240)
    wait("the confusion matrix", lambda: finds("#confusion-table tbody tr"), timeout=30)
    counts = browser.execute_script(
        "return [...document.querySelectorAll('#confusion-table tbody tr')].map((r) => [...r.querySelectorAll('td')].map((d) => Number(d.textContent)));")
    check(len(counts) == 3 and all(len(row) == 3 for row in counts), f"a 3x3 confusion matrix, got {counts}")
    job = api(f"/v1/jobs/{job_id}")["body"]
    check(sum(map(sum, counts)) == 3000, f"the matrix counts the 3000 test images: {counts}")
    diagonal = sum(counts[i][i] for i in range(3)) / 3000
    check(abs(diagonal - job["result"]["test_accuracy"]) < 1e-9, f"its diagonal is the test accuracy {job['result']['test_accuracy']}")
    check("test split" in text("#per-class-title"), "per-class accuracy from the test split")
    check(text('#job-summary dd[data-key="stop reason"]') == "user_stop", "the stop reason is shown: " + text('#job-summary dd[data-key="stop reason"]'))
    wait("the checkpoint links", lambda: finds('#checkpoints a.download[data-kind="best"]'))
    epochs = job["epoch"]
    check(points() == 2 * epochs, f"one train and one val point per epoch: {points()} points for {epochs} epochs")
    # The reconnect resumed after the last event seen: nothing before it arrived twice.
    check(len(finds('#event-log [data-phase="head"][data-phase-event="started"]')) == 1, "the head phase's start was received once")
    check(len(finds('#event-log .ack-ok[data-action="unfreeze"]')) == 1, "the unfreeze acknowledgement was received once")
    check(int(attr("#accuracy-chart", "data-points")) >= epochs, "the accuracy chart has every epoch")
    lr_points = int(attr("#lr-chart", "data-points"))
    check(lr_points >= epochs + 2, f"the LR chart has the head's LR at every epoch and block2's once unfrozen ({lr_points} points, {epochs} epochs)")
    check("best checkpoint" in text("#confusion-title"), "the matrix is the restored best checkpoint's")
    browser.execute_script("window.scrollTo(0, 0)")
    shot("06-job-finished")
    browser.execute_script("document.getElementById('confusion').scrollIntoView()")
    shot("07-job-confusion")
    log("finished job: ok")

    # 7. The list shows the job (status, epoch, best); the filter keeps it or hides it.
    browser.get(URL + "/#/jobs")
    wait("the job in the list", lambda: finds(f'#jobs-table tr[data-job="{job_id}"]'))
    row = text(f'#jobs-table tr[data-job="{job_id}"]')
    check("stopped" in row and f"{epochs} / 203" in row, f"the row shows status and epochs: {row}")
    Select(find("#status-filter")).select_by_value("failed")
    wait("the filter", lambda: not finds(f'#jobs-table tr[data-job="{job_id}"]'))
    Select(find("#status-filter")).select_by_value("stopped")
    wait("the filter again", lambda: finds(f'#jobs-table tr[data-job="{job_id}"]'))
    shot("08-jobs-list")
    log("jobs list: ok")

    # 8. Models: a refusal by field, a registration, a promotion.
    browser.get(URL + "/#/models")
    wait("the models page", lambda: finds("#model-builtin-form"))
    fill("#model-name", "fresh")
    fill("#model-num_classes", "0")
    find("#model-builtin-form button").click()
    wait("the num_classes error", lambda: finds('#model-builtin-form .field-error[data-error-for="num_classes"]'))
    fill("#promote-job", job_id)
    fill("#promote-name", "ui-promoted")
    find("#model-promote-form button").click()
    wait("the promoted model", lambda: "ui-promoted" in text("#models-table"))
    # An upload: the job's best weights, fetched with the token, sent back through the file input.
    weights = os.path.join(SHOTS, "best.safetensors")
    request = urllib.request.Request(f"{URL}/v1/jobs/{job_id}/weights?checkpoint=best", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request) as response, open(weights, "wb") as out:
        out.write(response.read())
    fill("#upload-name", "ui-uploaded")
    find("#upload-file").send_keys(os.path.abspath(weights))
    find("#model-upload-form button").click()
    wait("the uploaded model", lambda: "ui-uploaded" in text("#models-table"))
    os.remove(weights)
    shot("09-models")
    log("models: ok")

    # 9. Experiments: two strategies x two seeds on the promoted model, listed, and their children's
    #    curves overlaid on one chart per metric (one legend entry per strategy) as they arrive.
    models = api("/v1/models?limit=100")["body"]["data"]
    promoted = next(m["id"] for m in models if m["name"] == "ui-promoted")
    created = api("/v1/experiments", "POST", {
        "name": "ui-experiment",
        "base": {"model": {"id": promoted}, "num_classes": 3,
                 "dataset": {"id": "fashion-mnist", "classes": [0, 1, 7], "per_class": 40, "validation_fraction": 0.25, "seed": 2},
                 "batch_size": 16},
        "strategies": ["head_only", "recipe"], "seeds": [1, 2], "epochs": 3})
    check(created["status"] == 201, f"the experiment is created: {created}")
    experiment_id = created["body"]["id"]
    browser.get(URL + "/#/experiments")
    wait("the experiment in the list", lambda: finds(f'#experiments-table tr[data-experiment="{experiment_id}"]'))
    check("head_only, recipe" in text(f'#experiments-table tr[data-experiment="{experiment_id}"]'), "the row names the strategies")
    find(f'#experiments-table tr[data-experiment="{experiment_id}"] a').click()
    wait("the experiment page", lambda: finds('#strategies-body tr[data-strategy="recipe"]'))

    def overlay_points():
        value = attr("#overlay-accuracy-chart", "data-points")
        return int(value) if value else 0
    wait("the first child's curve", lambda: overlay_points() >= 1, timeout=120)
    early = overlay_points()
    wait("the experiment to end", lambda: finds('h1 .status[data-status="succeeded"]'), timeout=300)
    experiment = api(f"/v1/experiments/{experiment_id}")["body"]
    epochs = sum(run["epochs"] for run in experiment["jobs"])
    # Not "more than early": head-only children train from the activation cache, and on a fast
    # machine every child can have finished by the time the first point was read.
    wait("one point per child epoch", lambda: overlay_points() == epochs)
    log(f"overlay points {early} at the first curve, {epochs} at the end")
    check(int(attr("#overlay-loss-chart", "data-points")) == epochs, "the loss overlay has every child epoch")
    winner = experiment["winner"]
    check(winner["strategy"] in text('#experiment-summary dd[data-key="winner"]') and winner["runner_up"] in text('#experiment-summary dd[data-key="winner"]'),
          "the winner and runner-up are shown: " + text('#experiment-summary dd[data-key="winner"]'))
    check(attr(f'#strategies-body tr[data-strategy="{winner["strategy"]}"]', "data-winner") == "true", "the winner's row is marked")
    check("2 / 2" in text('#strategies-body tr[data-strategy="head_only"]'), "both seeds measured: " + text('#strategies-body tr[data-strategy="head_only"]'))
    check(len(finds("#children-body tr")) == 4, "four children listed")
    shot("11-experiment")
    # One legend entry per strategy over four lines; a click hides both of that strategy's lines.
    legend = browser.execute_script("""
        const chart = Chart.getChart(document.getElementById('overlay-accuracy-chart'));
        const items = chart.legend.legendItems;
        chart.options.plugins.legend.onClick(null, items[0], chart.legend);
        return {entries: items.map((i) => i.text), lines: chart.data.datasets.length,
                visible: chart.data.datasets.map((d, i) => chart.isDatasetVisible(i))};""")
    check(legend["entries"] == ["head_only", "recipe"] and legend["lines"] == 4, f"the legend lists strategies: {legend}")
    check(legend["visible"].count(False) == 2, f"a legend click hides one strategy's two lines: {legend}")
    # A child's job page links back to its experiment.
    child = experiment["jobs"][0]["job_id"]
    browser.get(URL + f"/#/jobs/{child}")
    wait("the child's link to its experiment", lambda: experiment_id in text('#job-summary dd[data-key="experiment"]'))
    log("experiments: ok")

    # 10. Datasets: a path outside the dataset root is refused beside the path field.
    browser.get(URL + "/#/datasets")
    wait("the datasets page", lambda: "fashion-mnist" in text("#datasets-table"))
    fill("#dataset-name", "evil")
    fill("#dataset-path", "../../etc")
    find("#dataset-form button").click()
    wait("the path error", lambda: "outside the dataset root" in text('#dataset-form .field-error[data-error-for="path"]'))
    fill("#dataset-name", "shapes")
    fill("#dataset-path", "shapes")
    fill("#dataset-image_size", "8")
    find("#dataset-form button").click()
    wait("the registered folder", lambda: "dark, light" in text("#datasets-table") and not finds("#dataset-form .field-error"))
    shot("10-datasets")
    log("datasets: ok")

    # 11. Without a token configured, the page never asks.
    browser.execute_script("sessionStorage.clear()")
    browser.get(OPEN_URL + "/")
    wait("the open server's list", lambda: "No jobs" in text("main"))
    check(attr("#token-dialog", "open") is None, "no token prompt without auth")
    log("open server: ok")

    # No script error and no Content-Security-Policy violation anywhere on the way (the API's own
    # refusals above are logged by Chromium as network errors, which is what they are).
    problems = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE" and entry.get("source") != "network"]
    check(not problems, f"the page logged errors: {problems}")
finally:
    browser.quit()
log("all passed")
