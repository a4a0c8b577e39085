// Adds the viewer's local time after every <time datetime="...Z"> the server wrote in
// UTC ("2025-03-04 10:15:01 UTC · 2025-03-04 11:15:01 CET, your time"). A file under
// /static because the page's CSP allows no inline script; without it the UTC time stays.
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const zoneName = (date) => {
    try {
      const parts = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(date);
      const zone = parts.find((part) => part.type === "timeZoneName");
      return zone ? zone.value : "";
    } catch (err) {
      return "";
    }
  };
  const localText = (date) =>
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;

  for (const element of document.querySelectorAll("time[datetime]")) {
    const next = element.nextElementSibling;
    if (next && next.classList.contains("local-time")) continue;
    const date = new Date(element.getAttribute("datetime"));
    if (Number.isNaN(date.getTime())) continue;
    const local = document.createElement("span");
    local.className = "local-time";
    local.dataset.local = localText(date);
    local.textContent = ` · ${localText(date)} ${zoneName(date)}, your time`.replace(" ,", ",");
    element.after(local);
  }
})();
