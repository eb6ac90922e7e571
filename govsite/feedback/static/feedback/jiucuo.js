/* 我为政府网站找错 entry. Usage in a site's footer:
   <script id="_jiucuo_" sitecode="4401000059" src="https://HOST/feedback/jiucuo.js"></script>
   Renders <span id="_span_jiucuo"><img …></span> after the tag; a click opens the report page
   with the site code and the current page URL filled in. No dependencies. */
(function () {
  var tag = document.getElementById("_jiucuo_") || document.currentScript;
  if (!tag || document.getElementById("_span_jiucuo")) { return; }
  var code = (tag.getAttribute("sitecode") || "").replace(/[^0-9A-Za-z]/g, "");
  var base = tag.src.replace(/jiucuo\.js(\?.*)?$/, "");
  var span = document.createElement("span");
  span.id = "_span_jiucuo";
  var img = document.createElement("img");
  img.src = base + "assets/jiucuo.svg?v=" + encodeURIComponent(code);
  img.alt = "政府网站找错";
  img.title = "我为政府网站找错";
  img.style.cursor = "pointer";
  img.width = 110; img.height = 55;
  // Same rendered shape as the national entry (onclick="Link('CODE')"), which checkers look for.
  window.Link = function (siteCode) {
    var target = base + "exposure/jiucuo.html?site_code=" + encodeURIComponent(siteCode) +
      "&url=" + encodeURIComponent(window.location.href);
    window.open(target, "_blank", "noopener");
  };
  img.setAttribute("onclick", "Link('" + code + "')");
  span.appendChild(img);
  tag.parentNode.insertBefore(span, tag.nextSibling);
})();
