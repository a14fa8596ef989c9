import React from 'react';
import { useCurrentAdmin } from 'adminjs';
import { PAGE_ACCESS, type Predicate, type SessionUser } from '../../auth/access-rules.js';

interface Page {
  name: string;
  icon?: string;
}

interface Props {
  pages?: Page[];
  OriginalComponent?: React.ComponentType<{ pages?: Page[] }>;
}

const PAGE_RULES: Record<string, Predicate | undefined> = PAGE_ACCESS;

/** AdminJS lists every page for everyone; each person's menu lists the pages their role works in. */
const SidebarPages: React.FC<Props> = ({ pages, OriginalComponent }) => {
  const [currentAdmin] = useCurrentAdmin();
  const user = currentAdmin as unknown as SessionUser | null;
  const mine = (pages ?? []).filter((page) => PAGE_RULES[page.name]?.(user) ?? true);
  if (!OriginalComponent || !mine.length) return null;
  // A landmark of its own beside the resources menu (sidebar-resource-section.tsx).
  return (
    <nav aria-label="Pages">
      <OriginalComponent pages={mine} />
    </nav>
  );
};

export default SidebarPages;
