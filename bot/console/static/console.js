// The staff console's only script: small comforts; every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Try the bot: show the newest bubble and put the cursor in the message box
  const chat = document.getElementById("chat");
  if (chat && chat.lastElementChild) {
    chat.lastElementChild.scrollIntoView({ block: "end" });
    const box = document.querySelector(".say input");
    if (box) box.focus({ preventScroll: true });
  }
  // a click on a message id copies it, to find the entry in Poedit or Weblate
  document.querySelectorAll("code.msgid").forEach((code) => {
    code.title = "Click to copy";
    code.addEventListener("click", () => {
      if (navigator.clipboard) navigator.clipboard.writeText(code.textContent);
    });
  });
  // one press sends once (a slow reply is no reason to send twice)
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      setTimeout(() => form.querySelectorAll("button").forEach((b) => (b.disabled = true)));
    });
  });
});
