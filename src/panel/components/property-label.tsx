import React, { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation, type PropertyJSON } from 'adminjs';
import { Label, Text, type LabelProps } from '@adminjs/design-system';

interface Props {
  property: PropertyJSON;
  props?: LabelProps;
  filter?: boolean;
}

const CONTROL = 'input:not([type=hidden]), select, textarea';

/**
 * The id this label's field really has. AdminJS writes `for="<path>"` (or "filter-<path>") and
 * hopes: its selects, date pickers and filter inputs have no such id (a react-select input is
 * "react-select-3-input", a filter input has only a name), so a click on the label did nothing
 * and a screen reader read the field without its name. The control is looked up in the label's
 * own form group; a control without an id gets the one the label names.
 */
function resolveTarget(label: HTMLLabelElement, wanted: string, descriptionId: string | undefined): string | undefined {
  const existing = document.getElementById(wanted);
  const group = label.parentElement;
  const control =
    existing && existing.matches(CONTROL) ? existing : Array.from(group?.querySelectorAll<HTMLElement>(CONTROL) ?? []).find((el) => !label.contains(el));
  if (!control) return undefined;
  if (!control.id) {
    if (existing) return undefined;
    control.id = wanted;
  }
  if (descriptionId && !(control.getAttribute('aria-describedby') ?? '').split(' ').includes(descriptionId)) {
    control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), descriptionId].filter(Boolean).join(' '));
  }
  return control.id;
}

/**
 * A field's label (AdminJS's PropertyLabel, adminjs 7.8) that points at its field. The field may
 * render after the label (react-select, a picker loading its options): the group is watched and
 * the pointer follows. A field's description is shown under the label and read with the field:
 * AdminJS hid it in a tooltip that only a mouse hovering a "?" could open.
 */
const PropertyLabel: React.FC<Props> = ({ property, props: labelProps, filter = false }) => {
  const { translateProperty, tm } = useTranslation();
  const ref = useRef<HTMLLabelElement>(null);
  const wanted = filter ? `filter-${property.path}` : property.path;
  const [target, setTarget] = useState<string | undefined>(wanted);
  const descriptionId = property.description && !property.hideLabel ? `${wanted}-description` : undefined;

  useLayoutEffect(() => {
    const label = ref.current;
    const group = label?.parentElement;
    if (!label || !group) return undefined;
    const update = () => setTarget(resolveTarget(label, wanted, descriptionId));
    update();
    const observer = new MutationObserver(update);
    observer.observe(group, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [wanted, descriptionId]);

  if (property.hideLabel) return null;
  return (
    <>
      <Label ref={ref} htmlFor={target} required={!filter && property.isRequired} {...labelProps}>
        {translateProperty(property.label, property.resourceId)}
      </Label>
      {descriptionId ? (
        <Text id={descriptionId} fontSize="sm" color="grey60" mb="sm" data-testid={`description-${property.path}`}>
          {tm(property.description!, property.resourceId)}
        </Text>
      ) : null}
    </>
  );
};

export default PropertyLabel;
