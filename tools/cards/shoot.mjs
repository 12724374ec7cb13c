// Screenshots of rendered cards, for people to look at (`make cards`; tools/cards/render.py
// writes the JSON and the plan this reads).
//
//   node shoot.mjs PLAN.json
//
// Teams: Microsoft's own Adaptive Cards renderer (the `adaptivecards` package) with the
// Microsoft Teams light host config and container styles that `adaptivecards-designer` ships,
// both read from node_modules at run time. The card itself is `width` px wide: Teams' own
// margins are outside it. Slack: a plain HTML likeness of Block Kit (slack.mjs).
//
// After each Teams page is drawn, every button whose title does not fit (its text is cut
// with an ellipsis, or the button is pushed off the card) is listed: the table at the end,
// and truncation.json beside the pictures.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import puppeteer from "puppeteer-core";
import { slackPage } from "./slack.mjs";

const require = createRequire(import.meta.url);
const module = (name) => require.resolve(name);
const designer = path.dirname(module("adaptivecards-designer/package.json"));

const HOST_CONFIG = path.join(designer, "lib/hostConfigs/microsoft-teams-light.json");
const TEAMS_CSS = path.join(designer, "dist/containers/teams-container-light.css");
const RENDERER = path.join(path.dirname(module("adaptivecards/package.json")), "dist/adaptivecards.min.js");

// Segoe UI (Teams' font) is not free to install; Liberation Sans has Arial's metrics, which
// are close to it, so widths measured here are close to what Teams shows.
const FONTS = `
@font-face { font-family: "Segoe UI"; src: local("Liberation Sans"); font-weight: 400; }
@font-face { font-family: "Segoe UI"; src: local("Liberation Sans Bold"); font-weight: 600 900; }
`;

function teamsPage(width) {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
${FONTS}
${readFileSync(TEAMS_CSS, "utf8")}
body { margin: 0; padding: 16px; background: #F5F5F5; font-family: "Segoe UI", sans-serif; }
#shot { display: inline-block; padding: 8px; background: #F5F5F5; }
.card { width: ${width}px; margin-bottom: 8px; background: white; border-radius: 4px;
        box-shadow: 0 0 0 1px #E1DFDD, 0 1px 2px rgba(0,0,0,.14); overflow: hidden; }
.card:last-child { margin-bottom: 0; }
.dialog-title { width: ${width}px; box-sizing: border-box; padding: 12px 16px 4px; background: white;
                border-radius: 4px 4px 0 0; font: 600 18px "Segoe UI", sans-serif; color: #242424;
                box-shadow: 0 0 0 1px #E1DFDD; }
.dialog-title + .card { border-radius: 0 0 4px 4px; }
</style></head><body><div id="shot"></div></body></html>`;
}

// In the page: draw each card with the renderer, then list the buttons that do not fit.
function drawCards(cards, hostConfig, dialog) {
  const AC = window.AdaptiveCards;
  const shot = document.getElementById("shot");
  const problems = [];
  if (dialog) {  // a form opens in a Teams dialog, under the dialog's own title
    const title = document.createElement("div");
    title.className = "dialog-title";
    title.innerText = dialog;
    shot.appendChild(title);
  }
  cards.forEach((json, n) => {
    const holder = document.createElement("div");
    holder.className = "card";
    shot.appendChild(holder);
    const card = new AC.AdaptiveCard();
    card.hostConfig = new AC.HostConfig(hostConfig);
    const context = new AC.SerializationContext();
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) problems.push(`card ${n + 1}: ${context.getEventAt(i).message}`);
    for (const event of card.validateProperties().validationEvents) problems.push(`card ${n + 1}: ${event.message}`);
    const rendered = card.render();
    if (rendered) holder.appendChild(rendered);
    else problems.push(`card ${n + 1}: the renderer drew nothing`);
  });
  return problems;
}

function cutButtons() {
  const cut = [];
  for (const holder of document.querySelectorAll(".card")) {
    const edge = holder.getBoundingClientRect().right;
    for (const button of holder.querySelectorAll(".ac-pushButton")) {
      const title = button.innerText.trim();
      const text = button.querySelector("div") || button;
      const ellipsis = text.scrollWidth > text.clientWidth + 0.5;
      const pushedOff = button.getBoundingClientRect().right > edge + 0.5;
      if (ellipsis || pushedOff) {
        cut.push({ title, shown: Math.round(text.clientWidth), needs: Math.round(text.scrollWidth),
                   how: ellipsis ? "ellipsis" : "off the card" });
      }
    }
  }
  return cut;
}

// The width each label needs on a Teams button (padding and border included).
function buttonWidths(labels) {
  const strip = document.createElement("div");
  strip.style.cssText = "position:absolute; left:0; top:0; visibility:hidden; display:flex;";
  document.body.appendChild(strip);
  const widths = {};
  for (const label of labels) {
    const button = document.createElement("button");
    button.className = "ac-pushButton";
    button.style.cssText = "flex: 0 0 auto; overflow: visible; white-space: nowrap;";
    button.innerText = label;
    strip.appendChild(button);
    widths[label] = Math.ceil(button.getBoundingClientRect().width);
  }
  strip.remove();
  return widths;
}

async function screenshot(page, file) {
  const shot = await page.$("#shot");
  await shot.screenshot({ path: file, omitBackground: false });
}

async function teams(browser, plan, hostConfig, report) {
  const page = await browser.newPage();
  for (const width of plan.widths) {
    await page.setViewport({ width: width + 64, height: 800, deviceScaleFactor: plan.scale });
    for (const item of plan.teams) {
      await page.setContent(teamsPage(width));
      await page.addScriptTag({ path: RENDERER });
      const problems = await page.evaluate(drawCards, item.cards, hostConfig, item.dialog);
      const cut = await page.evaluate(cutButtons);
      await screenshot(page, path.join(plan.out, "teams", `${item.name}-${width}.png`));
      report.teams.push({ name: item.name, width, cut, problems });
    }
  }
  await page.close();
}

async function slack(browser, plan) {
  const page = await browser.newPage();
  for (const width of plan.widths) {
    await page.setViewport({ width: width + 64, height: 800, deviceScaleFactor: plan.scale });
    for (const item of plan.slack) {
      await page.setContent(slackPage(item.messages, width, item.modal));
      await screenshot(page, path.join(plan.out, "slack", `${item.name}-${width}.png`));
    }
  }
  await page.close();
}

// Rows of buttons alone, to find which labels fit side by side on a narrow card. A row's
// MORE stands for secondary actions: the renderer's overflow button ("...").
const MORE = "...";

function calibrationCard(row) {
  const actions = row.map((title) =>
    title === MORE
      ? { type: "Action.Submit", title: "Open article", mode: "secondary", data: {} }
      : { type: "Action.Submit", title, data: {} });
  const body = [{ type: "TextBlock", text: row.join(" · "), wrap: true, size: "Small" }];
  return { type: "AdaptiveCard", version: "1.5", body, actions };
}

async function calibrate(browser, plan, hostConfig, report) {
  const page = await browser.newPage();
  const labels = [...new Set([...plan.calibration.flat(), MORE])];
  report.padding = hostConfig.spacing.padding;
  report.buttonSpacing = hostConfig.actions.buttonSpacing;
  for (const width of plan.calibrationWidths) {
    await page.setViewport({ width: width + 64, height: 800, deviceScaleFactor: plan.scale });
    await page.setContent(teamsPage(width));
    await page.addScriptTag({ path: RENDERER });
    const widths = await page.evaluate(buttonWidths, labels);
    report.buttonWidths = widths;
    const room = width - 2 * report.padding;
    for (const row of plan.calibration) {
      await page.setContent(teamsPage(width));
      await page.addScriptTag({ path: RENDERER });
      await page.evaluate(drawCards, [calibrationCard(row)], hostConfig, "");
      const cut = await page.evaluate(cutButtons);
      const needs = row.reduce((sum, label) => sum + widths[label], 0) + report.buttonSpacing * (row.length - 1);
      const chars = row.filter((label) => label !== MORE).join("").length;
      report.calibration.push({ row, width, chars, spare: room - needs, cut: cut.map((c) => c.title) });
    }
  }
  await page.close();
}

function table(report) {
  const lines = ["", "Teams buttons whose titles do not fit (card, width: titles)"];
  const cut = report.teams.filter((t) => t.cut.length);
  for (const t of cut) {
    lines.push(`  ${t.name}, ${t.width} px: ${t.cut.map((c) => `"${c.title}" (${c.how}, ${c.shown}/${c.needs} px)`).join("; ")}`);
  }
  if (!cut.length) lines.push("  none");
  const invalid = report.teams.filter((t) => t.problems.length);
  if (invalid.length) {
    lines.push("", "Teams cards the renderer found fault with");
    for (const t of invalid) lines.push(`  ${t.name}, ${t.width} px: ${[...new Set(t.problems)].join("; ")}`);
  }
  if (report.calibration.length) {
    lines.push("", `Calibration: Teams button rows alone (room = width - 2 x ${report.padding} px padding; ${report.buttonSpacing} px between buttons; "${MORE}" is the overflow button)`);
    lines.push("  width  chars  spare px  row  →  what is cut");
    for (const c of report.calibration) {
      const mark = c.cut.length ? `cut: ${c.cut.join(", ")}` : "all fit";
      const numbers = `${String(c.width).padStart(5)}  ${String(c.chars).padStart(5)}  ${String(c.spare).padStart(8)}`;
      lines.push(`  ${numbers}  [${c.row.join(" | ")}]  →  ${mark}`);
    }
    lines.push("", "Width each title needs on a Teams button, padding and border included (px)");
    for (const [label, w] of Object.entries(report.buttonWidths)) lines.push(`  ${String(w).padStart(4)}  ${label}`);
  }
  return lines.join("\n");
}

async function main() {
  const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const hostConfig = JSON.parse(readFileSync(HOST_CONFIG, "utf8"));
  for (const side of ["teams", "slack"]) mkdirSync(path.join(plan.out, side), { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: plan.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
  });
  const report = { teams: [], calibration: [], buttonWidths: {} };
  try {
    await teams(browser, plan, hostConfig, report);
    await slack(browser, plan);
    if (plan.calibration.length) await calibrate(browser, plan, hostConfig, report);
  } finally {
    await browser.close();
  }
  writeFileSync(path.join(plan.out, "truncation.json"), JSON.stringify(report, null, 2));
  console.log(table(report));
}

main().catch((error) => {
  console.error(`shoot.mjs: ${error.message}`);
  process.exit(1);
});
