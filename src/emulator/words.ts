// Small vocabularies for synthetic names, titles and anchors.

export const NAME_PARTS_A = [
  "blue", "green", "red", "silver", "golden", "bright", "smart", "rapid", "urban", "north", "south", "east", "west",
  "alpha", "nova", "prime", "true", "open", "clear", "fresh", "happy", "little", "big", "wild", "quiet", "daily",
  "modern", "simple", "global", "local", "digital", "pixel", "cloud", "data", "market", "travel", "food", "home",
  "tech", "money", "health", "style", "pet", "garden", "auto", "sport", "music", "film", "book", "code",
];
export const NAME_PARTS_B = [
  "hub", "lab", "works", "point", "zone", "base", "press", "times", "journal", "post", "news", "review", "guide",
  "world", "space", "studio", "media", "central", "hq", "spot", "nest", "forge", "line", "wave", "path", "desk",
  "corner", "insider", "tribune", "digest", "report", "wire", "blog", "cafe", "club", "store", "shop", "labs",
];
export const FAMOUS_DOMAINS = [
  "wikipedia.org", "reddit.com", "medium.com", "nytimes.com", "github.com", "linkedin.com", "theguardian.com",
  "washingtonpost.com", "quora.com", "yahoo.com", "wordpress.com", "blogspot.com", "tumblr.com", "pinterest.com",
  "businessinsider.com", "huffpost.com", "bloomberg.com", "reuters.com", "techcrunch.com", "wired.com",
  "theverge.com", "entrepreneur.com", "inc.com", "fastcompany.com", "marketwatch.com", "cnbc.com", "usatoday.com",
  "wsj.com", "time.com", "npr.org", "bbc.co.uk", "spiegel.de", "lemonde.fr", "elpais.com", "corriere.it",
  "abc.net.au", "cbc.ca", "hindustantimes.com", "japantimes.co.jp", "substack.com", "producthunt.com",
  "news.ycombinator.com", "stackexchange.com", "ycombinator.com", "crunchbase.com", "trello.com", "hubspot.com",
  "shopify.com", "mozilla.org", "archive.org",
];
export const TOPIC_WORDS = [
  "seo", "marketing", "startup", "investing", "crypto", "leadership", "remote", "work", "software", "cloud",
  "security", "privacy", "design", "travel", "recipes", "fitness", "wellness", "finance", "budget", "career",
  "growth", "strategy", "ecommerce", "retail", "energy", "climate", "science", "space", "education", "learning",
  "productivity", "analytics", "data", "ai", "robotics", "mobile", "apps", "gaming", "music", "movies", "sports",
  "fashion", "beauty", "parenting", "pets", "garden", "housing", "cars", "banking", "insurance", "tax", "law",
];
export const GENERIC_ANCHORS = ["click here", "read more", "here", "this article", "source", "website", "link", "learn more", "this report"];
export const SENTENCE_PRE = [
  "According to a recent report by", "As noted in", "For more background, see", "A study published by",
  "We first read about this on", "The numbers come from", "Industry analysts at", "As highlighted by",
];
export const SENTENCE_POST = [
  ", which surveyed more than a thousand companies.", " and the trend is still growing.", ", published last year.",
  " for the full list.", ", among other sources.", ". Read the whole piece for details.", " in a detailed analysis.",
];
export const SECTIONS = ["news", "blog", "articles", "guides", "reviews", "resources", "posts", "topics", "insights", "story"];
export const SUBDOMAIN_PREFIXES = ["blog", "news", "forum", "shop", "m", "en", "community", "support", "docs", "de"];
export const SHORTENERS = ["bit.ly", "goo.gl", "t.co", "ow.ly", "buff.ly", "tinyurl.com"];
