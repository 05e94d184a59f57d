// Runs before the page is painted: marks it as scripted, so that CSS can fold the navigation on a
// phone without it flashing open first. Tandem works without JavaScript (the navigation then stays open).
document.documentElement.classList.add("js");
