import type { ThemeConfig } from 'antd';

/**
 * antd's defaults put secondary text (#8c8c8c), links (#1677ff), danger (#ff4d4f) and preset tag colours under
 * WCAG AA's 4.5:1 contrast; these tokens keep the look and pass (checked by axe-core in the browser tests).
 */
export const theme: ThemeConfig = {
  token: {
    // People who ask their system for less motion get none (drawers, modals and messages appear at once).
    motion: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorPrimaryHover: '#003eb3',
    colorPrimaryActive: '#002c8c',
    colorLinkHover: '#003eb3',
    colorError: '#cf1322',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorTextDescription: '#595959',
    colorTextTertiary: '#595959',
    colorTextSecondary: '#434343',
  },
};

/** Solid tag colours (white text) with at least 4.5:1 contrast, by meaning. */
export const TONE = {
  good: '#237804',
  bad: '#a8071a',
  warn: '#ad4e00',
  info: '#0958d9',
  busy: '#874d00',
} as const;
