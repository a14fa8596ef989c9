import React from 'react';
import { useSelector } from 'react-redux';
import { LoggedIn, type ReduxState } from 'adminjs';
import { Box, Icon } from '@adminjs/design-system';
import { GlobalSearch } from './top-bar/global-search.js';
import { COLOR } from './top-bar/top-bar-style.js';

interface Props {
  toggleSidebar?: () => void;
}

/**
 * AdminJS's top bar with the global search in the middle. Its other pieces are AdminJS's own:
 * the menu button (for narrow screens, here a real button) and the signed-in user's menu with
 * "Log out" (LoggedIn). The version line it had is empty in NEXUS and gives way to the search.
 */
const TopBar: React.FC<Props> = ({ toggleSidebar }) => {
  const session = useSelector((state: ReduxState) => state.session);
  const paths = useSelector((state: ReduxState) => state.paths);
  return (
    <Box
      data-css="topbar"
      className="adminjs_NavBar"
      flex
      flexDirection="row"
      alignItems="center"
      flexShrink={0}
      height="navbarHeight"
      bg="container"
      borderBottom="default"
      px={['default', 'lg']}
      style={{ gap: 12 }}
    >
      <Box display={['block', 'block', 'block', 'block', 'none']}>
        <button
          type="button"
          onClick={toggleSidebar}
          aria-label="Show or hide the menu"
          style={{ display: 'flex', padding: 8, background: 'transparent', border: 0, cursor: 'pointer', color: COLOR.text }}
        >
          <Icon icon="Menu" size={24} />
        </button>
      </Box>
      <Box flex flexGrow={1} justifyContent="center" style={{ minWidth: 0 }}>
        <GlobalSearch />
      </Box>
      {session && session.email ? <LoggedIn session={session} paths={paths} /> : null}
    </Box>
  );
};

export default TopBar;
