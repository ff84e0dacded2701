#include "api/control_ui.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "net/router.hpp"

namespace gw::api {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kBasePathAttribute = "data-openclaw-control-ui-base-path";
/// Below a "/" base these stay API paths: unknown ones answer JSON 404, never the UI.
constexpr std::array<std::string_view, 4> kApiPrefixes = {"/v1/", "/api/", "/hooks/", "/tools/"};

struct ContentType {
    std::string_view extension;
    std::string_view type;
};
constexpr std::array<ContentType, 16> kContentTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "application/javascript; charset=utf-8"},
    {".mjs", "application/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".webmanifest", "application/manifest+json; charset=utf-8"},
}};

std::string_view ContentTypeFor(std::string_view extension) {
    if (extension == ".woff2") {
        return "font/woff2";
    }
    for (const auto& entry : kContentTypes) {
        if (entry.extension == extension) {
            return entry.type;
        }
    }
    return "application/octet-stream";
}

/// "/" → "", "/ui/" → "/ui".
std::string NormalizeBase(std::string base) {
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    return base;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// Percent-decodes a path; nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> DecodePath(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '%') {
            out.push_back(path[i]);
            continue;
        }
        if (i + 2 >= path.size()) {
            return std::nullopt;
        }
        const int hi = HexValue(path[i + 1]);
        const int lo = HexValue(path[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            return std::nullopt;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

/// The relative file path inside the root: no "..", no hidden segments, no NUL or backslash.
std::optional<fs::path> SafeRelative(std::string_view rel) {
    fs::path out;
    std::size_t start = 0;
    while (start <= rel.size()) {
        const std::size_t end = std::min(rel.find('/', start), rel.size());
        const std::string_view seg = rel.substr(start, end - start);
        if (!seg.empty() && seg != ".") {
            if (seg.front() == '.' || seg.find('\0') != std::string_view::npos ||
                seg.find('\\') != std::string_view::npos) {
                return std::nullopt;
            }
            out /= std::string(seg);
        }
        start = end + 1;
    }
    return out;
}

std::optional<std::string> ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return std::move(buf).str();
}

net::HttpResponse NotFound(const net::HttpRequest& req) {
    return net::JsonError(404, "not_found", "no such path", req.request_id);
}

void AddUiHeaders(net::HttpResponse& resp) {
    resp.headers.emplace_back("X-Frame-Options", "DENY");
    resp.headers.emplace_back("Referrer-Policy", "no-referrer");
}

struct ControlUi {
    fs::path root;  // canonical
    std::string base;
    std::string version;
    std::string assistant_name;
    std::string assistant_agent_id;
    bool auth_configured = false;

    bool IsConfigPath(std::string_view path) const {
        return path == base + "/control-ui-config.json" || path == base + "/__openclaw/control-ui-config.json" ||
               (base.empty() && path == "/__openclaw__/control-ui-config.json");
    }

    net::HttpResponse Config() const {
        boost::json::object body{
            {"basePath", base},
            {"assistantName", assistant_name},
            {"assistantAvatar", assistant_name.empty() ? "A" : assistant_name.substr(0, 1)},
            {"assistantAvatarSource", nullptr},
            {"assistantAvatarStatus", nullptr},
            {"assistantAvatarReason", nullptr},
            {"assistantAgentId", assistant_agent_id},
            {"serverVersion", version},
            {"embedSandbox", "scripts"},
            {"allowExternalEmbedUrls", false},
            {"automaticallyFetchFavicons", false},
            {"communityInvite", false},
            {"terminalEnabled", false},
            {"cliAgentsEnabled", false},
            {"pluginAssetsRequireAuth", auth_configured},
            {"pluginFrameGrants", boost::json::array{}},
        };
        net::HttpResponse resp;
        resp.content_type = "application/json; charset=utf-8";
        resp.headers.emplace_back("Cache-Control", "no-cache");
        AddUiHeaders(resp);
        resp.body = boost::json::serialize(body);
        return resp;
    }

    net::HttpResponse Index(const net::HttpRequest& req) const {
        auto html = ReadFile(root / "index.html");
        if (!html) {
            return net::JsonError(503, "control_ui_unavailable", "Control UI assets not found", req.request_id);
        }
        net::HttpResponse resp;
        resp.body = PrepareControlUiIndex(std::move(*html), base);
        resp.content_type = "text/html; charset=utf-8";
        resp.headers.emplace_back("Cache-Control", "no-cache");
        resp.headers.emplace_back("Content-Security-Policy", ControlUiCsp(resp.body, req.Header("Host").value_or("")));
        AddUiHeaders(resp);
        return resp;
    }

    net::HttpResponse Serve(const net::HttpRequest& req) const {
        const auto path = DecodePath(req.path);
        if (!path) {
            return NotFound(req);
        }
        if (base.empty()) {
            for (std::string_view prefix : kApiPrefixes) {
                if (path->starts_with(prefix)) {
                    return NotFound(req);
                }
            }
        }
        if (IsConfigPath(*path)) {
            return Config();
        }
        const std::string_view rel = std::string_view(*path).substr(std::min(path->size(), base.size() + 1));
        const auto relative = SafeRelative(rel);
        if (!relative) {
            return NotFound(req);
        }
        if (relative->empty() || *relative == "index.html") {
            return Index(req);
        }
        std::error_code ec;
        const fs::path file = fs::weakly_canonical(root / *relative, ec);
        const bool inside = !ec && std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first == root.end();
        if (inside && fs::is_regular_file(file, ec)) {
            if (auto body = ReadFile(file)) {
                net::HttpResponse resp;
                resp.body = std::move(*body);
                resp.content_type = std::string(ContentTypeFor(file.extension().string()));
                const bool hashed_asset = relative->begin() != relative->end() && *relative->begin() == "assets";
                resp.headers.emplace_back("Cache-Control", hashed_asset ? kImmutable : "no-cache");
                AddUiHeaders(resp);
                return resp;
            }
        }
        // A document path (no extension) is a client-side route of the single-page app.
        if (!relative->has_extension()) {
            return Index(req);
        }
        return NotFound(req);
    }
};

}  // namespace

std::string ControlUiCsp(const std::string& html, std::string_view host) {
    std::string scripts = "'self'";
    static const std::regex kInline(R"(<script(\s[^>]*)?>([\s\S]*?)</script>)", std::regex::icase);
    static const std::regex kSrc(R"(\ssrc\s*=)", std::regex::icase);
    for (auto it = std::sregex_iterator(html.begin(), html.end(), kInline); it != std::sregex_iterator(); ++it) {
        const std::string attrs = (*it)[1].str();
        const std::string content = (*it)[2].str();
        if (content.empty() || std::regex_search(attrs, kSrc)) {
            continue;
        }
        const auto digest = crypto::Sha256(std::string_view(content));
        scripts += " 'sha256-" + crypto::Base64Encode(std::span<const std::uint8_t>(digest)) + "'";
    }
    std::string connect = "'self' ws: wss: data:";
    const std::string_view hostname = host.substr(0, host.rfind(':') == std::string_view::npos ? host.size() : host.rfind(':'));
    if (!hostname.empty() && hostname.find_first_of(" ;'\"") == std::string_view::npos) {
        connect += " http://" + std::string(hostname) + ":* https://" + std::string(hostname) + ":*";
    }
    return "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; "
           "frame-src 'self' http: https:; script-src " +
           scripts +
           "; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; media-src 'self' data: blob:; "
           "font-src 'self'; worker-src 'self'; connect-src " +
           connect;
}

std::string PrepareControlUiIndex(std::string html, std::string_view base_path) {
    const std::string base = NormalizeBase(std::string(base_path));
    const std::array<std::pair<std::string, std::string>, 2> rewrites = {{
        {"src=\"./assets/", "src=\"" + base + "/assets/"},
        {"href=\"./assets/", "href=\"" + base + "/assets/"},
    }};
    for (const auto& [from, to] : rewrites) {
        for (std::size_t pos = html.find(from); pos != std::string::npos; pos = html.find(from, pos + to.size())) {
            html.replace(pos, from.size(), to);
        }
    }
    static const std::regex kHtmlTag(R"(<html\b)", std::regex::icase);
    std::smatch m;
    if (std::regex_search(html, m, kHtmlTag)) {
        std::string attr = " " + std::string(kBasePathAttribute) + "=\"";
        for (char c : base) {  // HTML-escape the attribute value
            attr += c == '"' ? std::string("&quot;") : c == '&' ? std::string("&amp;") : c == '<' ? std::string("&lt;") : std::string(1, c);
        }
        attr += "\" data-openclaw-control-ui-terminal-enabled=\"false\"";
        html.insert(static_cast<std::size_t>(m.position(0) + m.length(0)), attr);
    }
    return html;
}

void RegisterControlUiRoutes(net::Router& router, const config::GatewayConfig& cfg, std::string version) {
    const auto& options = cfg.ws.control_ui;
    if (!options.enabled) {
        return;
    }
    auto ui = std::make_shared<ControlUi>();
    std::error_code ec;
    ui->root = fs::weakly_canonical(options.root, ec);
    if (ec) {
        ui->root = fs::absolute(options.root);
    }
    ui->base = NormalizeBase(options.base_path);
    ui->version = std::move(version);
    auto entry = cfg.agents.entries.find(cfg.agents.default_agent);
    ui->assistant_agent_id = cfg.agents.default_agent;
    ui->assistant_name = entry != cfg.agents.entries.end() && entry->second.name ? *entry->second.name
                         : cfg.agents.defaults.name                                ? *cfg.agents.defaults.name
                                                                                   : "Assistant";
    ui->auth_configured = cfg.auth.AnyConfigured();
    net::Handler handler = [ui](const net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
        co_return ui->Serve(req);
    };
    if (ui->base.empty()) {
        router.AddPrefix("GET", "/", handler);
        return;
    }
    router.Add("GET", ui->base, [base = ui->base](const net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> {
        net::HttpResponse resp;
        resp.status = 302;
        resp.headers.emplace_back("Location", base + "/");
        co_return resp;
    });
    router.AddPrefix("GET", ui->base + "/", handler);
}

}  // namespace gw::api
