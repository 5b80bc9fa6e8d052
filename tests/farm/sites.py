"""The farm's sites: realistic headers and HTML of the platforms a Luxembourg web agency meets.

`Site.expected` says what the enrichment should find there; tests iterate over it.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Response:
    status: int = 200
    headers: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""
    behaviour: str = ""  # "", "reset" (TCP RST), "hang" (sleep before answering)
    hang_seconds: float = 0.0
    gzip: bool = False


@dataclass
class Site:
    pages: dict[str, Response] = field(default_factory=dict)
    https: bool = True  # False: the HTTPS port resets the connection, as a host without TLS would refuse it
    http: str = "serve"  # "serve" or "redirect_https"
    canonical_www: bool = False  # the apex redirects to www.
    redirect_to: str = ""  # every request redirects here
    certificate: str = "valid"  # "valid", "expired", "self_signed", "wrong_name"
    dns_failure: bool = False
    latency_ms: int = 0
    expected: dict[str, Any] = field(default_factory=dict)

    def respond(self, *, scheme: str, host: str, path: str) -> Response:
        if self.redirect_to:
            return Response(301, {"Location": self.redirect_to, "Content-Type": "text/html"}, b"Moved")
        if scheme == "https" and not self.https:
            return Response(behaviour="reset")
        if scheme == "http" and self.http == "redirect_https":
            return Response(301, {"Location": f"https://{host}{path}", "Server": "nginx"}, b"")
        if self.canonical_www and not host.startswith("www."):
            return Response(301, {"Location": f"{scheme}://www.{host}{path}", "Server": "Apache"}, b"")
        page = self.pages.get(path.split("?")[0]) or self.pages.get("*")
        if page is None:
            return Response(404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>Not found</body></html>")
        return page


def html(head: str, body: str, lang: str = "fr") -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{head}\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    ).encode()


def page(body: bytes, **headers: Any) -> Response:
    base = {"Content-Type": "text/html; charset=utf-8"}
    base.update({name.replace("_", "-"): value for name, value in headers.items()})
    return Response(200, base, body)


LOREM = (
    "<p>Depuis 1987, notre entreprise familiale accompagne ses clients au Luxembourg et dans la Grande Région. "
    "Qualité, proximité et conseil personnalisé sont au cœur de notre métier.</p>"
)

WORDPRESS = html(
    """<title>Boulangerie Weber – Pain artisanal à Esch</title>
<meta name="generator" content="WordPress 5.8.3">
<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/block-library/style.min.css?ver=5.8.3" media="all">
<link rel="stylesheet" href="/wp-content/themes/astra/assets/css/minified/main.min.css?ver=3.7.5" media="all">
<script src="/wp-includes/js/jquery/jquery.min.js?ver=1.12.4-wp" id="jquery-core-js"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ"></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-ABC123XYZ');</script>""",
    f"""<header class="site-header"><a href="/">Boulangerie Weber</a></header>
<main><h1>Pain artisanal</h1>{LOREM * 3}<img src="/wp-content/uploads/2021/05/pain.jpg" alt="Pain"></main>
<footer>12, Grand-Rue, L-4002 Esch-sur-Alzette — Tél. +352 54 12 34</footer>""",
)

WOOCOMMERCE = html(
    """<title>Vins Schmit – Boutique en ligne</title>
<meta name="generator" content="WordPress 6.4.2">
<meta name="generator" content="WooCommerce 8.2.1">
<link rel="stylesheet" href="/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=8.2.1" media="all">
<script src="/wp-content/plugins/woocommerce/assets/js/frontend/cart-fragments.min.js?ver=8.2.1"></script>
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>""",
    f"""<main class="woocommerce"><h1>Nos vins de la Moselle</h1>{LOREM}
<ul class="products"><li class="product"><a href="/produit/riesling">Riesling 2022</a>
<span class="woocommerce-Price-amount amount">14,50&nbsp;€</span></li></ul></main>""",
)

DRUPAL = html(
    """<title>Commune de Mersch</title>
<meta name="Generator" content="Drupal 7 (http://drupal.org)">
<link rel="stylesheet" href="/sites/default/files/css/css_xE-rWrJf-fncB6ztZfd2huxqgxu4WO-qwma6Xer30m4.css" media="all">
<script src="/misc/drupal.js?s1x8bn"></script>
<script>jQuery.extend(Drupal.settings, {"basePath":"\\/"});</script>""",
    f"<main><h1>Bienvenue</h1>{LOREM}</main>",
)

JOOMLA = html(
    """<title>Garage Hoffmann</title>
<meta name="generator" content="Joomla! - Open Source Content Management">
<script src="/media/jui/js/jquery.min.js?3f2ac7e1"></script>
<script src="/media/system/js/caption.js?3f2ac7e1"></script>""",
    f'<main><h1>Garage Hoffmann</h1>{LOREM}<a href="/index.php?option=com_content&amp;view=article&amp;id=2">Services</a></main>',
)

WIX = html(
    """<title>Studio Yoga Klein</title>
<meta name="generator" content="Wix.com Website Builder">
<link rel="preconnect" href="https://static.parastorage.com">
<script src="https://static.parastorage.com/services/wix-thunderbolt/dist/main.5b2e4f.bundle.min.js"></script>""",
    f'<div id="SITE_CONTAINER"><h1>Yoga à Strassen</h1>{LOREM}</div>',
)

SQUARESPACE = html(
    """<!-- This is Squarespace. --><!-- studio-ries -->
<title>Studio Ries Photographie</title>
<link rel="stylesheet" href="https://static1.squarespace.com/static/versioned-site-css/5f1a/12/site.css">
<script src="https://assets.squarespace.com/universal/scripts-compressed/common-b3e8d5d0.js"></script>""",
    f"<main><h1>Photographe à Luxembourg</h1>{LOREM}</main>",
)

SHOPIFY = html(
    """<title>Chocolats Majerus</title>
<link rel="stylesheet" href="//cdn.shopify.com/s/files/1/0123/4567/t/3/assets/theme.css?v=1700000000">
<script>var Shopify = Shopify || {}; Shopify.shop = "chocolats-majerus.myshopify.com"; Shopify.theme = {"name":"Dawn","id":123};</script>
<script src="//cdn.shopify.com/s/files/1/0123/4567/t/3/assets/global.js?v=1700000000" defer></script>""",
    f"<main><h1>Pralines artisanales</h1>{LOREM}</main>",
)

REACT_SPA = html(
    """<title>Fiduciaire Reuter</title>
<script crossorigin src="https://unpkg.com/react@18.2.0/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js"></script>
<script defer src="/static/js/main.4f1c2a9b.js"></script>
<link href="/static/css/main.8e7d6c5b.css" rel="stylesheet">""",
    '<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>',
    lang="en",
)

VUE_SITE = html(
    """<title>Cabinet Thill Avocats</title>
<script src="https://cdn.jsdelivr.net/npm/vue@3.3.4/dist/vue.global.prod.js"></script>
<script src="/js/app.9c8b7a.js" defer></script>""",
    f'<div id="app" data-v-app><section data-v-7ba5bd90><h1>Avocats</h1>{LOREM}</section></div>',
)

STATIC = html(
    "<title>Menuiserie Lentz</title>",
    f"<h1>Menuiserie Lentz</h1>{LOREM * 2}<p>Contact: +352 83 45 67</p>",
)

CLOUDFLARE = html(
    """<title>Immo Braun</title>
<script src="/cdn-cgi/scripts/5c5dd728/cloudflare-static/email-decode.min.js"></script>""",
    f"<main><h1>Immo Braun</h1>{LOREM}</main>",
)

# Real-web shapes the static scan must read (issue 15): analytics injected by inline code, a CMS that shows itself
# only in its markup and image paths.
CLASSIC_GA = html(
    """<title>Traiteur Frieden</title>
<script type="text/javascript">
  var _gaq = _gaq || [];
  _gaq.push(['_setAccount', 'UA-1234567-1']);
  _gaq.push(['_trackPageview']);
  (function() {
    var ga = document.createElement('script'); ga.type = 'text/javascript'; ga.async = true;
    ga.src = ('https:' == document.location.protocol ? 'https://ssl' : 'http://www') + '.google-analytics.com/ga.js';
    var s = document.getElementsByTagName('script')[0]; s.parentNode.insertBefore(ga, s);
  })();
</script>""",
    f"<h1>Traiteur Frieden</h1>{LOREM}",
)
ANALYTICS_JS = html(
    """<title>Garage Wagner</title>
<script>
(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){
(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),
m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)
})(window,document,'script','//www.google-analytics.com/analytics.js','ga');
ga('create', 'UA-7654321-1', 'auto');
ga('send', 'pageview');
</script>""",
    f"<h1>Garage Wagner</h1>{LOREM}",
)
DRUPAL_MARKUP = html(
    """<title>Musée de la Ville</title>
<link rel="stylesheet" href="/core/assets/vendor/normalize-css/normalize.css?r1b3x" media="all">
<script type="application/json" data-drupal-selector="drupal-settings-json">{"path":{"baseUrl":"\\/"}}</script>""",
    f"""<nav><a href="/fr/visite" data-drupal-link-system-path="node/12">Visite</a></nav>
<main>{LOREM}<img src="/sites/default/files/2024-03/salle.jpg" alt="Salle"></main>""",
)
WORDPRESS_IMAGES = html(
    "<title>Coiffure Lux</title>",
    f"""<header><img src="/wp-content/themes/hairsalon/images/logo.png" alt="Coiffure Lux"></header>
<main>{LOREM}</main>""",
)
GA_IN_PROSE = html(
    "<title>Blog technique</title>",
    f"""<article><h1>Comment fonctionne GoogleAnalyticsObject ?</h1>
<p>Le code <code>'//www.google-analytics.com/analytics.js'</code> charge le script.</p>{LOREM}</article>""",
)

# Everything this page uses is set up at run time by an external script (browser scan mode, issue 15): the
# fetched HTML carries no marker of it, so only a browser finds it.
RUNTIME_ONLY = html(
    '<title>Atelier Schroeder</title>\n<script src="/assets/app.js"></script>',
    f"<h1>Atelier Schroeder</h1>{LOREM}",
)
RUNTIME_APP_JS = b"""(function (w, d) {
  var name = ['Google', 'Analytics', 'Object'].join('');
  w[name] = 'ga';
  w.ga = function () { (w.ga.q = w.ga.q || []).push(arguments); };
  d.cookie = '_ga=GA1.2.1234567890.1700000000; path=/';
  var jq = function () {};
  jq.fn = jq.prototype = { jquery: ['3', '7', '1'].join('.') };
  w.jQuery = w.$ = jq;
  var loader = d.createElement('script');
  loader.src = '/vendor/stats/' + 'piw' + 'ik.js';
  d.head.appendChild(loader);
  d.addEventListener('DOMContentLoaded', function () {
    var badge = d.createElement('div');
    badge.setAttribute('data-' + 'ackee-server', 'https://stats.example.org');
    d.body.appendChild(badge);
  });
})(window, document);
"""
# What the browser scan finds on it (name -> version), and the static scan must not.
RUNTIME_ONLY_TECHS = {"Google Analytics": "", "jQuery": "3.7.1", "Matomo Analytics": "", "Ackee": ""}


PARKED = html(
    """<title>parked-domain.lu - This domain is for sale!</title>
<script src="https://www.google.com/adsense/domains/caf.js"></script>
<script>var parkingData = {"provider": "sedoparking"};</script>""",
    """<div class="parking"><h1>parked-domain.lu</h1><p>This domain is for sale! Buy this domain on Sedo.</p>
<p>Related searches: Luxembourg hotels, bakery, garage</p></div>""",
    lang="en",
)

LATIN1 = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    b"<title>Caf\xe9 de la Gare</title></head><body><h1>Caf\xe9 de la Gare \xe0 Ettelbruck</h1>"
    b"<p>Sp\xe9cialit\xe9s luxembourgeoises</p></body></html>"
)

BOMB = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)  # 20 MB of zeros in ~20 KB
HUGE = html("<title>Huge</title>", "<p>" + "x" * (5 * 1024 * 1024) + "</p>")

GOOD_PAGE = html(
    """<title>Atelier Kremer – Ébéniste à Luxembourg</title>
<meta name="description" content="Meubles sur mesure en bois massif, fabriqués à Luxembourg depuis 1987.">
<link rel="canonical" href="https://fast-good.lu/">
<link rel="stylesheet" href="/css/site.css">
<script src="/js/app.js" defer></script>""",
    """<header><h1>Atelier Kremer</h1></header>
<main><h2>Meubles sur mesure</h2><p>Tables, armoires et cuisines en bois massif.</p>
<img src="/img/hero.jpg" alt="Table en chêne" width="800" height="500">
<form><label for="email">E-mail</label><input id="email" type="email" name="email"></form>
<a href="/contact">Demander un devis</a></main>""",
)

BAD_PAGE = (
    b"<html><head><title>Garage</title>"
    b'<script src="/js/jquery-1.8.3.min.js"></script>'
    b'<script src="/js/big-bundle.js"></script>'
    b'<link rel="stylesheet" href="http://bad-slow.lu/css/old.css">'
    b'</head><body><table width="980"><tr><td>'
    b'<img src="/img/huge.jpg"><img src="/img/photo2.jpg">'
    b'<h1>Garage</h1><h4>Bienvenue</h4><a href="/x">cliquez ici</a><a href="/y"></a>'
    b'<input type="text" name="q"></td></tr></table></body></html>'
)

PSI_RESPONSE = {
    "id": "https://psi-target.lu/",
    "lighthouseResult": {
        "lighthouseVersion": "13.0.0",
        "finalDisplayedUrl": "https://psi-target.lu/",
        "categories": {
            "performance": {"id": "performance", "score": 0.42},
            "accessibility": {"id": "accessibility", "score": 0.87},
            "best-practices": {"id": "best-practices", "score": 0.74},
            "seo": {"id": "seo", "score": 0.91},
        },
        "audits": {
            "first-contentful-paint": {
                "id": "first-contentful-paint",
                "score": 0.35,
                "numericValue": 3412.5,
                "displayValue": "3.4 s",
            },
            "largest-contentful-paint": {
                "id": "largest-contentful-paint",
                "score": 0.12,
                "numericValue": 6890.1,
                "displayValue": "6.9 s",
            },
            "total-blocking-time": {
                "id": "total-blocking-time",
                "score": 0.5,
                "numericValue": 410.0,
                "displayValue": "410 ms",
            },
            "cumulative-layout-shift": {
                "id": "cumulative-layout-shift",
                "score": 0.9,
                "numericValue": 0.0712,
                "displayValue": "0.071",
            },
            "speed-index": {"id": "speed-index", "score": 0.4, "numericValue": 5321.0, "displayValue": "5.3 s"},
            "server-response-time": {"id": "server-response-time", "score": 1, "numericValue": 182.3},
            "total-byte-weight": {"id": "total-byte-weight", "score": 0.6, "numericValue": 2456789},
            "viewport": {"id": "viewport", "score": 1},
        },
    },
}


def _cf(email: str, key: int = 0x42) -> str:
    """Cloudflare's e-mail protection encoding (what the tests must decode)."""
    return f"{key:02x}" + "".join(f"{ord(ch) ^ key:02x}" for ch in email)


CONTACT_HOME = html(
    "<title>Fleuriste Thill – Wiltz</title>",
    """<nav><a href="/">Accueil</a> <a href="/contact">Contact</a> <a href="/a-propos">À propos</a>
<a href="/mentions-legales">Mentions légales</a> <a href="/private/team">Équipe</a> <a href="/fr/">FR</a> <a href="/de/">DE</a>
<a href="https://other-site.lu/contact">Partenaire</a></nav>
<main><h1>Fleuriste Thill</h1><img src="/img/logo@2x.png" alt="logo"><p>Écrivez à name@example.com pour tester.</p>
<a href="https://www.facebook.com/sharer/sharer.php?u=https://contact-thill.lu">Partager</a>
<a href="https://twitter.com/intent/tweet?url=https://contact-thill.lu">Tweet</a>
<a href="https://www.facebook.com/FleuristeThill/">Facebook</a> <a href="https://www.instagram.com/fleuristethill/">Instagram</a>
<a href="https://www.linkedin.com/company/fleuriste-thill">LinkedIn</a> <a href="https://www.youtube.com/@fleuristethill">YouTube</a></main>
<footer>Fleuriste Thill — 12, Rue de la Gare L-9501 Wiltz</footer>""",
)
CONTACT_PAGE = html(
    "<title>Contact</title>",
    f"""<h1>Contact</h1>
<p><a href="mailto:info@contact-thill.lu?subject=Devis">Écrivez-nous</a></p>
<p>Commandes : marie [at] contact-thill [dot] lu — Comptabilité : compta(at)contact-thill.lu</p>
<p><span class="__cf_email__" data-cfemail="{_cf("hello@contact-thill.lu")}">[email&#160;protected]</span></p>
<p><a href="/cdn-cgi/l/email-protection#{_cf("shop@contact-thill.lu", 0x5A)}">Boutique</a></p>
<p>Tél. : +352 95 12 34 — GSM 621 123 456 — Fax: (+352) 95 12 35</p>
<p><a href="tel:+35226123456">Appelez le siège</a> ou écrivez à contact.thill@gmail.com</p>
<form><label for="m">Message</label><textarea id="m" name="message"></textarea><input type="email" name="email"></form>""",
)
LEGAL_PAGE = html(
    "<title>Mentions légales</title>",
    """<h1>Mentions légales</h1><p>IBAN LU28 0019 4006 4475 0000 — BIC BCEELULL</p>
<p>N° TVA LU12345678 — RCS Luxembourg B123456 — Matricule 1999 1234 567</p><p>© 2015-2024 Fleuriste Thill</p>""",
)
ABOUT_PAGE = html(
    """<title>À propos</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Florist", "name": "Fleuriste Thill",
"telephone": "+352 95 12 34", "email": "info@contact-thill.lu",
"address": {"@type": "PostalAddress", "streetAddress": "12, Rue de la Gare", "postalCode": "L-9501",
"addressLocality": "Wiltz", "addressCountry": "LU"},
"openingHours": ["Mo-Fr 09:00-18:00", "Sa 09:00-12:00"], "sameAs": ["https://www.facebook.com/FleuristeThill"]}</script>""",
    """<h1>À propos</h1><h2>Nos services</h2><ul><li>Bouquets</li><li>Mariages</li><li>Deuil</li><li>Abonnements</li></ul>
<p>Tarifs : bouquet dès 25 €. Voir la galerie et les avis clients.</p>
<h2>Prendre rendez-vous</h2><form><input type="date" name="date"><input type="time" name="heure"></form>""",
)

SITES: dict[str, Site] = {
    "wordpress-weber.lu": Site(
        pages={"/": page(WORDPRESS, Server="nginx/1.18.0", X_Powered_By="PHP/7.4.3")},
        http="redirect_https",
        expected={
            "status": "active",
            "https": True,
            "cms": "WordPress",
            "cms_version": "5.8.3",
            "server": "Nginx",
            "analytics": "Google Analytics",
            "techs": {"jQuery", "PHP"},
        },
    ),
    "woo-schmit.lu": Site(
        pages={"/": page(WOOCOMMERCE, Server="Apache")},
        expected={"status": "active", "cms": "WordPress", "ecommerce": "WooCommerce", "server": "Apache HTTP Server"},
    ),
    "drupal-mersch.lu": Site(
        pages={"/": page(DRUPAL, Server="Apache/2.4.41 (Ubuntu)", X_Generator="Drupal 7 (https://www.drupal.org)")},
        expected={"status": "active", "cms": "Drupal", "cms_version": "7", "server": "Apache HTTP Server"},
    ),
    "joomla-hoffmann.lu": Site(
        pages={"/": page(JOOMLA, Server="Apache")},
        https=False,
        expected={"status": "active", "https": False, "cms": "Joomla"},
    ),
    "wix-klein.lu": Site(
        pages={"/": page(WIX, X_Wix_Request_Id="1700000000.123456789", Server="Pepyaka")},
        expected={"status": "active", "cms": "Wix"},
    ),
    "squarespace-ries.lu": Site(
        pages={"/": page(SQUARESPACE, Server="Squarespace")},
        expected={"status": "active", "cms": "Squarespace"},
    ),
    "shop-majerus.lu": Site(
        pages={"/": page(SHOPIFY, X_ShopId="12345678", X_Shopify_Stage="production", Powered_By="Shopify")},
        expected={"status": "active", "ecommerce": "Shopify"},
    ),
    "react-reuter.lu": Site(
        pages={"/": page(REACT_SPA, Server="nginx")},
        expected={"status": "active", "js_framework": "React"},
    ),
    "vue-thill.lu": Site(
        pages={"/": page(VUE_SITE, Server="nginx")},
        expected={"status": "active", "js_framework": "Vue.js"},
    ),
    "static-lentz.lu": Site(
        pages={"/": page(STATIC, Server="nginx/1.14.2")},
        https=False,
        expected={"status": "active", "https": False, "server": "Nginx", "cms": ""},
    ),
    "static-apache.lu": Site(
        pages={"/": page(STATIC, Server="Apache/2.4.29 (Ubuntu)")},
        https=False,
        expected={"status": "active", "server": "Apache HTTP Server"},
    ),
    "cloudflare-braun.lu": Site(
        pages={"/": page(CLOUDFLARE, Server="cloudflare", CF_RAY="7d5f3b2a1c0e4f6a-LUX", CF_Cache_Status="HIT")},
        expected={"status": "active", "cdn": "Cloudflare"},
    ),
    "classic-ga.lu": Site(
        pages={"/": page(CLASSIC_GA, Server="nginx")},
        expected={"status": "active", "analytics": "Google Analytics"},
    ),
    "analytics-js.lu": Site(
        pages={"/": page(ANALYTICS_JS, Server="nginx")},
        expected={"status": "active", "analytics": "Google Analytics"},
    ),
    "drupal-markup.lu": Site(
        pages={"/": page(DRUPAL_MARKUP, Server="nginx")},
        expected={"status": "active", "cms": "Drupal", "cms_version": ""},
    ),
    "wordpress-images.lu": Site(
        pages={"/": page(WORDPRESS_IMAGES, Server="Apache")},
        expected={"status": "active", "cms": "WordPress"},
    ),
    "ga-in-prose.lu": Site(
        pages={"/": page(GA_IN_PROSE, Server="nginx")},
        expected={"status": "active", "analytics": "", "cms": ""},
    ),
    "runtime-only.lu": Site(
        pages={
            "/": page(RUNTIME_ONLY, Server="nginx"),
            "/assets/app.js": Response(200, {"Content-Type": "application/javascript"}, RUNTIME_APP_JS),
            "/vendor/stats/piwik.js": Response(200, {"Content-Type": "application/javascript"}, b"var _paq=[];"),
        },
        expected={"status": "active"},
    ),
    "parked-domain.lu": Site(
        pages={"*": page(PARKED, Server="nginx")},
        https=False,
        expected={"status": "parked"},
    ),
    "http-only-to-https.lu": Site(
        pages={"/": page(STATIC, Server="nginx")},
        http="redirect_https",
        expected={"status": "active", "https": True},
    ),
    "www-redirect.lu": Site(
        pages={"/": page(STATIC, Server="Apache")},
        canonical_www=True,
        expected={"status": "active", "final_host": "www.www-redirect.lu"},
    ),
    "moved-away.lu": Site(
        redirect_to="https://new-home.lu/", expected={"status": "active", "final_host": "new-home.lu"}
    ),
    "new-home.lu": Site(pages={"/": page(STATIC, Server="nginx")}, expected={"status": "active"}),
    "redirect-loop.lu": Site(
        pages={
            "/": Response(302, {"Location": "/a"}, b""),
            "/a": Response(302, {"Location": "/"}, b""),
        },
        https=False,
        expected={"status": "error", "error": "too_many_redirects"},
    ),
    "not-found.lu": Site(
        pages={"*": Response(404, {"Content-Type": "text/html", "Server": "nginx"}, b"<h1>404</h1>")},
        expected={"status": "error", "error": "http_error", "http_status": 404},
    ),
    "server-error.lu": Site(
        pages={
            "*": Response(500, {"Content-Type": "text/html", "Server": "Apache"}, b"<h1>Internal Server Error</h1>")
        },
        expected={"status": "error", "error": "http_error", "http_status": 500},
    ),
    "slow-site.lu": Site(
        pages={"*": Response(behaviour="hang", hang_seconds=3.0, headers={"Content-Type": "text/html"}, body=b"late")},
        expected={"status": "error", "error": "timeout"},
    ),
    "reset-site.lu": Site(pages={"*": Response(behaviour="reset")}, expected={"status": "error", "error": "connect"}),
    "expired-cert.lu": Site(
        pages={"/": page(STATIC, Server="nginx")},
        certificate="expired",
        expected={"status": "active", "https": True, "certificate_valid": False, "certificate_problem": "expired"},
    ),
    "self-signed.lu": Site(
        pages={"/": page(STATIC, Server="nginx")},
        certificate="self_signed",
        expected={
            "status": "active",
            "https": True,
            "certificate_valid": False,
            "certificate_problem": "untrusted authority",
        },
    ),
    "wrong-name.lu": Site(
        pages={"/": page(STATIC, Server="nginx")},
        certificate="wrong_name",
        expected={"status": "active", "https": True, "certificate_valid": False, "certificate_problem": "is for"},
    ),
    # http://hop-to-untrusted.lu → 301 → https://www.untrusted-target.lu/, whose certificate no one trusts.
    "hop-to-untrusted.lu": Site(
        redirect_to="https://www.untrusted-target.lu/",
        expected={
            "status": "active",
            "https": True,
            "certificate_valid": False,
            "certificate_problem": "untrusted authority",
            "final_host": "www.untrusted-target.lu",
        },
    ),
    "untrusted-target.lu": Site(pages={"/": page(WORDPRESS, Server="nginx")}, certificate="self_signed"),
    "latin1-cafe.lu": Site(
        pages={"/": Response(200, {"Content-Type": "text/html", "Server": "Apache"}, LATIN1)},
        https=False,
        expected={"status": "active", "title": "Café de la Gare"},
    ),
    "gzip-site.lu": Site(
        pages={"/": Response(200, {"Content-Type": "text/html; charset=utf-8", "Server": "nginx"}, STATIC, gzip=True)},
        expected={"status": "active"},
    ),
    "no-such-domain.lu": Site(dns_failure=True, expected={"status": "error", "error": "dns"}),
    "huge-page.lu": Site(pages={"/": page(HUGE, Server="nginx")}, expected={"status": "active"}),
    "gzip-bomb.lu": Site(
        pages={"/": Response(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, BOMB)},
        expected={"status": "active"},
    ),
    "redirect-to-metadata.lu": Site(redirect_to="http://169.254.169.254/latest/meta-data/"),
    "contact-thill.lu": Site(
        pages={
            "/": page(CONTACT_HOME, Server="nginx"),
            "/contact": page(CONTACT_PAGE, Server="nginx"),
            "/mentions-legales": page(LEGAL_PAGE, Server="nginx"),
            "/a-propos": page(ABOUT_PAGE, Server="nginx"),
            "/private/team": page(html("<title>Team</title>", "<p>secret@contact-thill.lu</p>")),
            "/robots.txt": Response(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        },
        expected={"status": "active"},
    ),
    "fast-good.lu": Site(
        pages={
            "/": page(GOOD_PAGE, Server="nginx"),
            "/css/site.css": Response(200, {"Content-Type": "text/css"}, b"body{margin:0;font-family:sans-serif}" * 20),
            "/js/app.js": Response(200, {"Content-Type": "application/javascript"}, b"console.log('ok');" * 50),
            "/img/hero.jpg": Response(200, {"Content-Type": "image/jpeg"}, b"\xff\xd8" + b"\0" * 40_000),
        },
        http="redirect_https",
        expected={"status": "active"},
    ),
    "bad-slow.lu": Site(
        pages={
            "/": Response(200, {"Content-Type": "text/html", "Server": "Apache/2.2.15"}, BAD_PAGE),
            "/js/jquery-1.8.3.min.js": Response(
                200, {"Content-Type": "application/javascript"}, b"/*jq*/" + b"x" * 95_000
            ),
            "/js/big-bundle.js": Response(200, {"Content-Type": "application/javascript"}, b"var a=1;" * 80_000),
            "/css/old.css": Response(200, {"Content-Type": "text/css"}, b"td{width:980px}" * 2000),
            "/img/huge.jpg": Response(200, {"Content-Type": "image/jpeg"}, b"\xff\xd8" + b"\0" * 1_500_000),
            "/img/photo2.jpg": Response(200, {"Content-Type": "image/jpeg"}, b"\xff\xd8" + b"\0" * 300_000),
        },
        https=False,
        latency_ms=300,
        expected={"status": "active"},
    ),
    # A fake PageSpeed Insights API answering with the real response shape (reached as 127.0.0.1).
    "127.0.0.1": Site(
        pages={
            "/pagespeedonline/v5/runPagespeed": Response(
                200, {"Content-Type": "application/json"}, json.dumps(PSI_RESPONSE).encode()
            )
        }
    ),
    "redirect-to-decimal-loopback.lu": Site(redirect_to="http://2130706434/"),  # 127.0.0.2 in decimal
}
