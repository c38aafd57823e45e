#ifndef NTKSCOPE_CNCURSES_SHIM_H
#define NTKSCOPE_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncurses.h>
#endif
