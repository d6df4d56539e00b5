/** The address names no room. */
import { navigate } from '../../navigation.js';

export function NoSuchRoomScreen() {
  return (
    <div className="ended">
      <div className="ended__card" data-testid="no-such-room">
        <h1>No meeting here</h1>
        <p className="muted">There is no meeting at this address. Check the link you were given, or ask its host for a new one.</p>
        <button type="button" className="button button--primary" onClick={() => navigate('/')}>
          Go to the home page
        </button>
      </div>
    </div>
  );
}
