/** What the install page shows; every text is the vendor's (the suite as registered). */
export interface InstallPageContent {
  suiteName: string;
  logoUrl: string | null;
  description: string | null;
  /** where the button posts: our own start route, with the caller's state and auth_type */
  action: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The look of the install pages (a card in the middle of the page). */
const PAGE_STYLE = `<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f7;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:40px;max-width:420px;text-align:center}
.logo{border-radius:16px}h1{font-size:22px;margin:16px 0 8px}p{color:#555;line-height:1.6}
button{background:#07c160;color:#fff;border:0;border-radius:6px;font-size:16px;padding:12px 32px;cursor:pointer;margin-top:16px}
</style>`;

/**
 * The install page: WeCom accepts an install link only when a person clicks it on a page of the vendor's registered
 * domain (授权发起域名; it checks the Referer), so this page is where installs start. Nothing is spent until the
 * button is pressed: it posts to `/install/:suiteId/start`, which asks WeCom for the pre_auth_code.
 */
export function renderInstallPage(content: InstallPageContent): string {
  const name = escapeHtml(content.suiteName);
  const logo = content.logoUrl ? `<img class="logo" src="${escapeHtml(content.logoUrl)}" alt="" width="72" height="72">` : '';
  const description = content.description ? `<p>${escapeHtml(content.description)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>安装 ${name}</title>
${PAGE_STYLE}
</head>
<body>
<main>
${logo}
<h1>${name}</h1>
${description}
<form method="post" action="${escapeHtml(content.action)}">
<button type="submit" id="install">安装到企业微信</button>
</form>
</main>
</body>
</html>
`;
}

/** "We are finishing your install": shown while WeCom's answer is awaited; reloads itself (the redirect is repeatable). */
export function renderInstallPendingPage(retrySeconds: number): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${retrySeconds}">
<title>正在完成安装…</title>
</head>
<body style="font-family:system-ui,sans-serif;text-align:center;padding-top:20vh">
<h1>正在完成安装…</h1>
<p>企业微信已同意授权，我们正在完成安装。本页面会自动刷新，请勿关闭。</p>
<p>We are finishing your install; this page refreshes itself.</p>
</body>
</html>
`;
}

/**
 * "Installed": the end of a link install for a browser when the suite has no success URL of its own to send it to.
 * Names the corp (WeCom's name for it, escaped) and nothing else: no ids, codes or tokens.
 */
export function renderInstallDonePage(corpName: string | null): string {
  const into = corpName ? `已安装到「${escapeHtml(corpName)}」。` : '';
  const intoEn = corpName ? ` for ${escapeHtml(corpName)}` : '';
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>安装成功</title>
${PAGE_STYLE}
</head>
<body>
<main>
<h1>安装成功</h1>
<p>${into}现在可以在企业微信的工作台中打开应用，本页面可以关闭。</p>
<p>The app is installed${intoEn}. Open it from the WeCom workbench; you may close this page.</p>
</main>
</body>
</html>
`;
}
