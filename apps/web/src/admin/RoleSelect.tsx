/** Host or administrator. */
import { useId } from 'react';
import type { Role } from '@conclave/protocol';

export const ROLE_LABEL: Record<Role, string> = { admin: 'Administrator', host: 'Host' };

export function RoleSelect({ value, onChange, testId }: { value: Role; onChange: (role: Role) => void; testId?: string }) {
  const id = useId();
  return (
    <div className="field field--narrow">
      <label htmlFor={id}>Role</label>
      <select id={id} className="select" data-testid={testId} value={value} onChange={(e) => onChange(e.target.value as Role)}>
        <option value="host">{ROLE_LABEL.host}</option>
        <option value="admin">{ROLE_LABEL.admin}</option>
      </select>
    </div>
  );
}
