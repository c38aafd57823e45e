#ifndef NTKSCOPE_CNCURSES_SHIM_H
#define NTKSCOPE_CNCURSES_SHIM_H
/* Wide-character API: SwiftPM drops pkg-config's -D flags, so define them here, before curses.h. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <stdio.h>
#include <signal.h>
#include <termios.h>
#include <ncursesw/curses.h>

/* Globals and macros that do not import into Swift 6 (strict concurrency / function-like macros). */
static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline int shim_lines(void) { return LINES; }
static inline int shim_cols(void) { return COLS; }
static inline int shim_colors(void) { return COLORS; }
static inline int shim_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t shim_a_normal(void) { return A_NORMAL; }
static inline attr_t shim_a_bold(void) { return A_BOLD; }
static inline attr_t shim_a_reverse(void) { return A_REVERSE; }
static inline attr_t shim_a_dim(void) { return A_DIM; }
static inline attr_t shim_a_underline(void) { return A_UNDERLINE; }
static inline attr_t shim_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }
static inline int shim_key_f(int n) { return KEY_F(n); }
static inline int shim_attrset(attr_t a) { return attrset((int)a); }
static inline int shim_bkgd(attr_t a) { return bkgd((chtype)(a | ' ')); }
static inline const char *shim_codeset(void) { return nl_langinfo(CODESET); }
static inline FILE *shim_fdopen(int fd, const char *mode) { return fdopen(fd, mode); }
/* Mouse: button-1 clicks only (0 when the terminal reports none). */
static inline unsigned long shim_mouse_enable(void) { return (unsigned long)mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED, NULL); }
static inline void shim_mouse_interval(void) { mouseinterval(0); }
/* The pending mouse event: 1 and its cell for a button-1 press or click, else 0. */
static inline int shim_mouse_click(int *x, int *y) {
    MEVENT e;
    if (getmouse(&e) != OK) return 0;
    if (!(e.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) return 0;
    *x = e.x; *y = e.y;
    return 1;
}
#endif
