// lib/libvirt/import/metadata — <title>, <description> and <metadata>.
//
// Owns: the description (fitted to XML 1.0 and DESCRIPTION_MAX), the tags kept
// in Hostdeck's own metadata element (<hostdeck:vm><hostdeck:tag>), and
// reporting every other title or metadata entry (libosinfo's, other tools')
// as not kept.
import { DESCRIPTION_MAX, TAG_MAX, TAGS_MAX, type VmSpec } from '@/lib/spec';
import { HOSTDECK_XML_NAMESPACE } from '../domain-xml';
import { xmlText } from '../xml-text';
import { childElements, ownText, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT } from './not-kept';
import { localName } from './xml';

const LIBOSINFO_NAMESPACE = 'http://libosinfo.org/xmlns/libvirt/domain/1.0';

/** Whether <metadata> holds Hostdeck's own element (<hostdeck:vm>). */
export function hasHostdeckMetadata(metadata: XmlElement | undefined): boolean {
  return (
    metadata !== undefined &&
    childElements(metadata).some((entry) => entry.namespace === HOSTDECK_XML_NAMESPACE && localName(entry) === 'vm')
  );
}

export function importTitle(ctx: ImportContext, element: XmlElement): void {
  if (ownText(element).trim() !== '') ctx.carry('domain', element, 'description', NOT_KEPT.metadata.title(ownText(element)));
}

export function importDescription(ctx: ImportContext, element: XmlElement, vm: VmSpec): void {
  let value = ownText(element);
  const wellFormed = value.toWellFormed();
  const fitted = xmlText(wellFormed);
  if (fitted !== value) ctx.note('description', NOT_KEPT.metadata.descriptionCharacters);
  value = fitted;
  if (value.length > DESCRIPTION_MAX) {
    ctx.note('description', NOT_KEPT.metadata.descriptionLength(value.length));
    value = value.slice(0, DESCRIPTION_MAX);
    if (/[\ud800-\udbff]$/.test(value)) value = value.slice(0, -1);
  }
  vm.description = value;
}

export function importMetadata(ctx: ImportContext, element: XmlElement, vm: VmSpec): void {
  let seen = false;
  for (const entry of childElements(element)) {
    if (entry.namespace === HOSTDECK_XML_NAMESPACE && localName(entry) === 'vm' && !seen) {
      seen = true;
      for (const item of childElements(entry)) {
        if (item.namespace !== HOSTDECK_XML_NAMESPACE || localName(item) !== 'tag') {
          ctx.note('tags', NOT_KEPT.metadata.unknownHostdeckItem(item));
          continue;
        }
        const raw = ownText(item);
        const value = xmlText(raw.toWellFormed());
        if (value.trim() === '') ctx.note('tags', NOT_KEPT.metadata.emptyTag);
        else if (value.length > TAG_MAX) ctx.note('tags', NOT_KEPT.metadata.longTag(value));
        else if (vm.tags.length >= TAGS_MAX) ctx.note('tags', NOT_KEPT.metadata.tooManyTags(value));
        else {
          if (value !== raw) ctx.note('tags', NOT_KEPT.metadata.tagCharacters(value));
          vm.tags.push(value);
        }
      }
      continue;
    }
    // Other namespaces (virt-install's libosinfo OS id, …) are kept as they are.
    if (entry.namespace === LIBOSINFO_NAMESPACE) {
      const osId = childElements(entry).find((part) => localName(part) === 'os')?.attributes.id;
      ctx.carry('metadata', entry, 'metadata', NOT_KEPT.metadata.libosinfo(entry.name, osId));
    } else ctx.carry('metadata', entry, 'metadata', NOT_KEPT.metadata.other(entry.name, entry.namespace));
  }
}
