// The "Copy for IT" buttons (localtime.js adds local times). The page works without it.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const block = button.closest(".itadmin");
  const text = block.querySelector(".copy-source").value;
  const status = block.querySelector(".copied");
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied";
  } catch (err) {
    // No clipboard permission (http, old browser): select the text for Ctrl+C.
    const area = block.querySelector(".copy-source");
    area.hidden = false;
    area.select();
    status.textContent = "Press Ctrl+C to copy";
  }
  setTimeout(() => { status.textContent = ""; }, 3000);
});
