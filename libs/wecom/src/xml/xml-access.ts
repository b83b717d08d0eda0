import { XmlError } from './xml-error.js';
import type { XmlElement, XmlNode } from './xml-parser.js';

/**
 * Typed reads of a parsed element's fields. `context` names the payload in error messages
 * (e.g. "create_auth event"); values are never echoed, since they may be codes or tickets.
 */
export function optionalText(element: XmlElement, name: string, context: string): string | undefined {
  const node = element[name];
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) throw new XmlError('INVALID_FIELD', `${context}: <${name}> appears more than once`);
  throw new XmlError('INVALID_FIELD', `${context}: <${name}> must hold text, not elements`);
}

/** Like `optionalText`, but a missing or empty field is an error. */
export function requiredText(element: XmlElement, name: string, context: string): string {
  const value = optionalText(element, name, context);
  if (value === undefined || value === '') throw new XmlError('MISSING_FIELD', `${context}: <${name}> is missing or empty`);
  return value;
}

/** A non-negative integer field such as `TimeStamp` or `CreateTime`. */
export function optionalInteger(element: XmlElement, name: string, context: string): number | undefined {
  const value = optionalText(element, name, context);
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new XmlError('INVALID_FIELD', `${context}: <${name}> must be a non-negative integer`);
  return Number(value);
}

export function requiredInteger(element: XmlElement, name: string, context: string): number {
  const value = optionalInteger(element, name, context);
  if (value === undefined) throw new XmlError('MISSING_FIELD', `${context}: <${name}> is missing or empty`);
  return value;
}

/** Every `<name>` child as a list, whether it occurs zero, one or many times. */
export function childList(element: XmlElement, name: string): readonly XmlNode[] {
  const node = element[name];
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node as XmlNode];
}

/** Narrows a child value to a single element (not text, not a repeated list). */
export function isXmlElement(node: XmlNode | readonly XmlNode[] | undefined): node is XmlElement {
  return typeof node === 'object' && !Array.isArray(node);
}

/** A nested element such as `<ExtAttr>`; text or a repeated name is an error. */
export function optionalElement(element: XmlElement, name: string, context: string): XmlElement | undefined {
  const node = element[name];
  if (node === undefined) return undefined;
  if (isXmlElement(node)) return node;
  if (typeof node === 'string' && node === '') return undefined;
  throw new XmlError('INVALID_FIELD', `${context}: <${name}> must hold elements`);
}
