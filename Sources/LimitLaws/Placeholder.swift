// LimitLaws
