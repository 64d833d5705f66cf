// Click-to-play: the YouTube player (youtube-nocookie.com) is loaded only when the reader asks
// for it. Without JavaScript the play link simply opens the video on YouTube.
document.querySelectorAll(".video[data-embed]").forEach(function (box) {
  var link = box.querySelector(".video-play");
  link.addEventListener("click", function (event) {
    var src = box.getAttribute("data-embed");
    if (src.indexOf("https://www.youtube-nocookie.com/embed/") !== 0) return;
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = box.getAttribute("data-title") || "Video";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.width = 480;
    frame.height = 360;
    box.replaceChildren(frame);
    frame.focus();
  });
});
