// Generated from Themes/*.toml (keep in sync; a test compares them). The binary works without the folder.
enum EmbeddedThemes {
    static let files: [(name: String, text: String)] = [
        ("dark", #"""
# ntkscope theme: dark (the default)
# Colours: "#rrggbb", "#rgb", one of the 16 names (black, red, green, yellow, blue, magenta, cyan, white,
# and bright-black … bright-white) or "default" (the terminal's own colour).
name = "dark"
description = "Dark background, blue theory curves, amber histograms"

[colors]
background = "#1c1c24"
text = "#d0d0d8"
dim = "#80808c"
axes = "#6c7086"
title = "#89b4fa"
theory = "#89dceb"
empirical = "#f9a825"
compare_a = "#a6e3a1"
compare_b = "#f38ba8"
highlight = "#f5c2e7"
status_bar = "#313244"
status_text = "#cdd6f4"
warning = "#ff5f5f"
"""#),
        ("light", #"""
# ntkscope theme: light
name = "light"
description = "Light background for bright terminals"

[colors]
background = "#fafafa"
text = "#202020"
dim = "#707070"
axes = "#606060"
title = "#1a4fa0"
theory = "#0050c8"
empirical = "#c86400"
compare_a = "#007a3d"
compare_b = "#b0003a"
highlight = "#8a2be2"
status_bar = "#dcdcdc"
status_text = "#202020"
warning = "#c00000"
"""#),
        ("high-contrast", #"""
# ntkscope theme: high-contrast (pure colours on black)
name = "high-contrast"
description = "Maximum contrast: saturated colours on black"

[colors]
background = "#000000"
text = "#ffffff"
dim = "#c0c0c0"
axes = "#ffffff"
title = "#ffff00"
theory = "#00ffff"
empirical = "#ff8700"
compare_a = "#00ff00"
compare_b = "#ff00ff"
highlight = "#ffff00"
status_bar = "#ffffff"
status_text = "#000000"
warning = "#ff0000"
"""#),
        ("monochrome", #"""
# ntkscope theme: monochrome (no colours; bold, dim and reverse video only)
name = "monochrome"
description = "Terminal default colours, attributes only"
monochrome = true

[colors]
background = "default"
text = "default"
dim = "default"
axes = "default"
title = "default"
theory = "default"
empirical = "default"
compare_a = "default"
compare_b = "default"
highlight = "default"
status_bar = "default"
status_text = "default"
warning = "default"
"""#),
    ]
}
