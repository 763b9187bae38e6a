import { groupBy } from './groupBy';

describe('groupBy', () => {
  it('groups items by key and keeps their order within a group', () => {
    const versions = [
      { name: 'a', version: '1' },
      { name: 'b', version: '1' },
      { name: 'a', version: '2' },
    ];
    const groups = groupBy(versions, v => v.name);
    expect([...groups.keys()]).toEqual(['a', 'b']);
    expect(groups.get('a')!.map(v => v.version)).toEqual(['1', '2']);
    expect(groups.get('b')).toEqual([{ name: 'b', version: '1' }]);
    expect(groups.get('c')).toBeUndefined();
  });
});
