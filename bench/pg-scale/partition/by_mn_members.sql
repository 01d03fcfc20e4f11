\set id random(1, :members)
SELECT COALESCE(my_number, '000000000000') AS mn FROM members WHERE member_id = :id \gset
SELECT member_id FROM members WHERE my_number = :mn;
